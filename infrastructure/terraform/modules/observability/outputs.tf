output "log_group_names" {
  description = "Log group of each task definition: web, worker, migrate."
  value = {
    web     = aws_cloudwatch_log_group.web.name
    worker  = aws_cloudwatch_log_group.worker.name
    migrate = aws_cloudwatch_log_group.migrate.name
  }
}

output "log_group_arns" {
  description = "ARNs of the log groups."
  value = [
    aws_cloudwatch_log_group.web.arn,
    aws_cloudwatch_log_group.worker.arn,
    aws_cloudwatch_log_group.migrate.arn,
  ]
}

output "alarm_topic_arn" {
  description = "The SNS topic every alarm notifies (subscribe a pager or chat integration to it)."
  value       = aws_sns_topic.alarms.arn
}

output "metric_namespace" {
  description = "Namespace of the metrics made from the gateway's log lines."
  value       = local.namespace
}
