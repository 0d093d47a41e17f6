# Every alarm notifies the topic when it fires and when it clears. One metric-math alarm (the 5xx share) and a
# table of single-metric alarms; docs/operations.md ("Alarms") says what to do about each.

# 5xx answers (the gateway's and the load balancer's own) as a share of all requests, once there are enough
# requests for a share to mean something. Postgres down makes the webhooks answer 503 and trips this.
resource "aws_cloudwatch_metric_alarm" "http_5xx_rate" {
  alarm_name          = "${var.name}-http-5xx-rate"
  alarm_description   = "More than ${var.thresholds.http_5xx_percent}% of requests answered 5xx (gateway or load balancer). Runbook: docs/operations.md#alarms"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.http_5xx_percent
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  metric_query {
    id          = "rate"
    expression  = "IF(requests >= ${var.thresholds.http_5xx_min_requests}, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)"
    label       = "5xx share of requests (%)"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = {
      requests  = "RequestCount"
      target5xx = "HTTPCode_Target_5XX_Count"
      elb5xx    = "HTTPCode_ELB_5XX_Count"
    }
    content {
      id = metric_query.key
      metric {
        namespace   = "AWS/ApplicationELB"
        metric_name = metric_query.value
        dimensions  = { LoadBalancer = var.alb_arn_suffix }
        period      = 60
        stat        = "Sum"
      }
    }
  }

  tags = var.tags
}

locals {
  # name → what to watch. `missing` is what a period without data counts as.
  static_alarms = {
    no-healthy-web-tasks = {
      description = "No web task passes the load balancer's health check: webhooks cannot be stored."
      namespace   = "AWS/ApplicationELB"
      metric      = "HealthyHostCount"
      dimensions  = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_arn_suffix }
      statistic   = "Minimum"
      period      = 60
      periods     = 3
      operator    = "LessThanThreshold"
      threshold   = 1
      missing     = "breaching"
    }
    dead-letters = {
      description = "A message or daily lesson was given up on after its retries."
      namespace   = local.namespace
      metric      = "DeadLetters"
      dimensions  = {}
      statistic   = "Sum"
      period      = 300
      periods     = 1
      operator    = "GreaterThanOrEqualToThreshold"
      threshold   = var.thresholds.dead_letters
      missing     = "notBreaching"
    }
    worker-not-running = {
      description = "No worker/scheduler task is running: nothing processes webhooks or sends replies and daily lessons."
      namespace   = "ECS/ContainerInsights"
      metric      = "RunningTaskCount"
      dimensions  = { ClusterName = var.cluster_name, ServiceName = var.worker_service_name }
      statistic   = "Minimum"
      period      = 60
      periods     = 5
      operator    = "LessThanThreshold"
      threshold   = 1
      missing     = "breaching"
    }
    postgres-cpu = {
      description = "Postgres CPU above ${var.thresholds.database_cpu_percent}% for 15 minutes."
      namespace   = "AWS/RDS"
      metric      = "CPUUtilization"
      dimensions  = { DBInstanceIdentifier = var.db_instance_identifier }
      statistic   = "Average"
      period      = 300
      periods     = 3
      operator    = "GreaterThanThreshold"
      threshold   = var.thresholds.database_cpu_percent
      missing     = "missing"
    }
    postgres-free-storage = {
      description = "Postgres has less than ${floor(var.thresholds.database_free_storage_bytes / 1073741824)} GiB of storage free."
      namespace   = "AWS/RDS"
      metric      = "FreeStorageSpace"
      dimensions  = { DBInstanceIdentifier = var.db_instance_identifier }
      statistic   = "Minimum"
      period      = 300
      periods     = 1
      operator    = "LessThanThreshold"
      threshold   = var.thresholds.database_free_storage_bytes
      missing     = "missing"
    }
  }

  error_line_alarms = {
    for role, filter in aws_cloudwatch_log_metric_filter.error_lines : "${role}-error-lines" => {
      description = "The ${role} role wrote ${var.thresholds.error_lines} or more error lines in 5 minutes."
      namespace   = local.namespace
      metric      = filter.metric_transformation[0].name
      dimensions  = {}
      statistic   = "Sum"
      period      = 300
      periods     = 1
      operator    = "GreaterThanOrEqualToThreshold"
      threshold   = var.thresholds.error_lines
      missing     = "notBreaching"
    }
  }

  # With noeviction a full Redis refuses writes (the scheduler's due set, pacing): act well before that.
  redis_alarms = merge(
    { for node in var.cache_cluster_ids : "redis-memory-${node}" => {
      description = "Redis node ${node} uses more than ${var.thresholds.redis_memory_percent}% of its memory (noeviction: writes fail when full)."
      namespace   = "AWS/ElastiCache"
      metric      = "DatabaseMemoryUsagePercentage"
      dimensions  = { CacheClusterId = node }
      statistic   = "Maximum"
      period      = 300
      periods     = 2
      operator    = "GreaterThanThreshold"
      threshold   = var.thresholds.redis_memory_percent
      missing     = "missing"
    } },
    { for node in var.cache_cluster_ids : "redis-engine-cpu-${node}" => {
      description = "Redis node ${node}'s engine thread is above ${var.thresholds.redis_engine_cpu_percent}% for 15 minutes."
      namespace   = "AWS/ElastiCache"
      metric      = "EngineCPUUtilization"
      dimensions  = { CacheClusterId = node }
      statistic   = "Average"
      period      = 300
      periods     = 3
      operator    = "GreaterThanThreshold"
      threshold   = var.thresholds.redis_engine_cpu_percent
      missing     = "missing"
    } },
  )

  # From the "metrics snapshot" line. Each must hold for 15 minutes: a 09:00 peak fills the queues for a few
  # minutes by design. worker-silent fires when no snapshot line arrives at all.
  snapshot_alarms = var.snapshot_alarms_enabled ? merge(
    { for key, alarm in {
      scheduler-lateness    = ["SchedulerLatenessMax", var.thresholds.scheduler_lateness_seconds, "Daily lessons went out more than ${var.thresholds.scheduler_lateness_seconds} s after their due time."]
      inbox-backlog         = ["InboxBacklog", var.thresholds.inbox_backlog, "More than ${var.thresholds.inbox_backlog} stored webhooks wait for a worker."]
      outbox-backlog        = ["OutboxBacklog", var.thresholds.outbox_backlog, "More than ${var.thresholds.outbox_backlog} outbound messages wait to be sent."]
      scheduler-due-backlog = ["SchedulerDueBacklog", var.thresholds.scheduler_due_backlog, "More than ${var.thresholds.scheduler_due_backlog} daily lessons are due and not yet sent."]
      } : key => {
      description = alarm[2]
      namespace   = local.namespace
      metric      = alarm[0]
      dimensions  = {}
      statistic   = "Maximum"
      period      = 300
      periods     = 3
      operator    = "GreaterThanThreshold"
      threshold   = alarm[1]
      missing     = "notBreaching"
    } },
    {
      worker-silent = {
        description = "No \"metrics snapshot\" line from any worker/scheduler task for 10 minutes."
        namespace   = local.namespace
        metric      = "InboxBacklog"
        dimensions  = {}
        statistic   = "SampleCount"
        period      = 300
        periods     = 2
        operator    = "LessThanThreshold"
        threshold   = 1
        missing     = "breaching"
      }
    },
  ) : {}
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = merge(local.static_alarms, local.error_line_alarms, local.redis_alarms, local.snapshot_alarms)

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = "${each.value.description} Runbook: docs/operations.md#alarms"
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = length(each.value.dimensions) == 0 ? null : each.value.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = each.value.periods
  comparison_operator = each.value.operator
  threshold           = each.value.threshold
  treat_missing_data  = each.value.missing
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags

  # The metrics made from log lines exist once their filters do.
  depends_on = [
    aws_cloudwatch_log_metric_filter.dead_letters,
    aws_cloudwatch_log_metric_filter.error_lines,
    aws_cloudwatch_log_metric_filter.snapshot,
  ]
}
