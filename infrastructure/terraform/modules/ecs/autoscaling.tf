# Target tracking: ECS adds tasks when the average passes the target and removes them, slowly, when it falls.
# Both services scale on CPU; the web service also on requests a minute per task, as the load balancer counts
# them. Scaling the workers on a backlog is discussed in docs/scaling.md.

locals {
  scaled_services = {
    web    = { service = aws_ecs_service.this["web"].name, min = var.web.min_count, max = var.web.max_count }
    worker = { service = aws_ecs_service.this["worker"].name, min = var.worker.min_count, max = var.worker.max_count }
  }

  scaling_policies = {
    web-cpu = {
      service = "web"
      metric  = "ECSServiceAverageCPUUtilization"
      label   = null
      target  = var.web.cpu_target_percent
    }
    web-requests = {
      service = "web"
      metric  = "ALBRequestCountPerTarget"
      label   = "${var.alb_arn_suffix}/${var.target_group_arn_suffix}"
      target  = var.web.requests_per_target
    }
    worker-cpu = {
      service = "worker"
      metric  = "ECSServiceAverageCPUUtilization"
      label   = null
      target  = var.worker.cpu_target_percent
    }
  }
}

resource "aws_appautoscaling_target" "this" {
  for_each = local.scaled_services

  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${each.value.service}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = each.value.min
  max_capacity       = each.value.max
  tags               = var.tags
}

resource "aws_appautoscaling_policy" "this" {
  for_each = local.scaling_policies

  name               = "${var.name}-${each.key}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[each.value.service].service_namespace
  resource_id        = aws_appautoscaling_target.this[each.value.service].resource_id
  scalable_dimension = aws_appautoscaling_target.this[each.value.service].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = each.value.target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = each.value.metric
      resource_label         = each.value.label
    }
  }
}
