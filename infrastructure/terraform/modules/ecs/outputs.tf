output "cluster_name" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "web_service_name" {
  description = "The web role's service."
  value       = aws_ecs_service.this["web"].name
}

output "worker_service_name" {
  description = "The worker/scheduler role's service."
  value       = aws_ecs_service.this["worker"].name
}

output "migrate_task_definition" {
  description = "Family:revision of the migration task definition."
  value       = "${aws_ecs_task_definition.this["migrate"].family}:${aws_ecs_task_definition.this["migrate"].revision}"
}

output "migrate_command" {
  description = "The AWS CLI command that runs `gateway migrate` once, in the private subnets."
  value = join(" ", [
    "aws ecs run-task",
    "--region ${data.aws_region.current.name}",
    "--cluster ${aws_ecs_cluster.this.name}",
    "--task-definition ${aws_ecs_task_definition.this["migrate"].family}:${aws_ecs_task_definition.this["migrate"].revision}",
    "--launch-type FARGATE --started-by migrate",
    "--network-configuration 'awsvpcConfiguration={subnets=[${join(",", var.private_subnet_ids)}],securityGroups=[${var.security_group_id}],assignPublicIp=DISABLED}'",
  ])
}
