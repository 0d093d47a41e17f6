output "load_balancer_dns_name" {
  description = "Point the public host name at this."
  value       = module.gateway.load_balancer_dns_name
}

output "load_balancer_zone_id" {
  description = "Hosted zone id of the load balancer, for a Route 53 alias."
  value       = module.gateway.load_balancer_zone_id
}

output "webhook_urls" {
  description = "URLs for the Slack app manifest and the Twilio number."
  value       = module.gateway.webhook_urls
}

output "provider_secret_names" {
  description = "Secrets to fill in with `aws secretsmanager put-secret-value` (docs/operations.md)."
  value       = module.gateway.provider_secret_names
}

output "cluster_name" {
  description = "The ECS cluster."
  value       = module.gateway.cluster_name
}

output "service_names" {
  description = "The ECS services (web, worker)."
  value       = module.gateway.service_names
}

output "migrate_command" {
  description = "Runs `gateway migrate` once."
  value       = module.gateway.migrate_command
}

output "log_group_names" {
  description = "CloudWatch log groups."
  value       = module.gateway.log_group_names
}

output "alarm_topic_arn" {
  description = "SNS topic of every alarm."
  value       = module.gateway.alarm_topic_arn
}

output "database_address" {
  description = "Postgres endpoint."
  value       = module.gateway.database_address
}

output "redis_address" {
  description = "Redis primary endpoint."
  value       = module.gateway.redis_address
}
