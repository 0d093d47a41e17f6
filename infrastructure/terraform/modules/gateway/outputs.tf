output "load_balancer_dns_name" {
  description = "Point the public host name at this (CNAME, or a Route 53 alias with load_balancer_zone_id)."
  value       = module.alb.dns_name
}

output "load_balancer_zone_id" {
  description = "The load balancer's hosted zone id, for a Route 53 alias record."
  value       = module.alb.zone_id
}

output "webhook_urls" {
  description = "The URLs to enter in the Slack app and the Twilio number."
  value = {
    slack_events       = "${var.public_base_url}/slack/events"
    slack_commands     = "${var.public_base_url}/slack/commands"
    slack_interactions = "${var.public_base_url}/slack/interactions"
    twilio_sms         = "${var.public_base_url}/twilio/sms"
    twilio_status      = "${var.public_base_url}/twilio/status"
  }
}

output "provider_secret_names" {
  description = "Secrets Manager names an operator fills in before the services can start."
  value       = module.secrets.provider_secret_names
}

output "cluster_name" {
  description = "The ECS cluster."
  value       = module.ecs.cluster_name
}

output "service_names" {
  description = "The ECS services."
  value = {
    web    = module.ecs.web_service_name
    worker = module.ecs.worker_service_name
  }
}

output "migrate_command" {
  description = "Runs `gateway migrate` once as a Fargate task."
  value       = module.ecs.migrate_command
}

output "log_group_names" {
  description = "CloudWatch log groups of the web, worker and migrate tasks."
  value       = module.observability.log_group_names
}

output "alarm_topic_arn" {
  description = "SNS topic of every alarm."
  value       = module.observability.alarm_topic_arn
}

output "database_address" {
  description = "Postgres endpoint host name."
  value       = module.database.address
}

output "redis_address" {
  description = "Redis primary endpoint host name."
  value       = module.cache.primary_endpoint_address
}
