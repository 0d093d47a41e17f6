# Logs, metrics made from them, alarms, and the SNS topic the alarms notify.
#
# The gateway writes one JSON object per line to standard output ({"ts":…,"level":…,"logger":…,"msg":…,
# plus metadata fields}); ECS's awslogs driver ships the lines to the log groups below. The worker/scheduler
# role serves no HTTP, so nothing can scrape its Prometheus registry on Fargate: the gateway's own numbers reach
# CloudWatch through metric filters over these lines instead (docs/operations.md, "Metrics"):
#   - dead letters and error lines are counted from the lines the gateway writes when they happen;
#   - backlogs and scheduler lateness are read from the periodic "metrics snapshot" line of each
#     worker/scheduler process, whose fields must be JSON numbers (the line's contract is in docs/operations.md).
# Load balancer, RDS, ElastiCache and ECS metrics come from AWS itself.

locals {
  namespace = var.metric_namespace == "" ? "LearningGateway/${var.name}" : var.metric_namespace
  actions   = [aws_sns_topic.alarms.arn]
  kms_key   = var.log_kms_key_arn == "" ? null : var.log_kms_key_arn

  # The error lines written when a stored webhook, an outbound message or a daily lesson is given up on.
  dead_letter_messages = [
    "inbound event failed for good",
    "outbound Slack message dead after retries",
    "outbound SMS dead after retries",
    "daily lesson dead letter",
  ]

  # Fields of the "metrics snapshot" line → CloudWatch metric name.
  snapshot_fields = {
    inbox_backlog                  = { metric = "InboxBacklog", unit = "Count" }
    outbox_backlog                 = { metric = "OutboxBacklog", unit = "Count" }
    scheduler_due_backlog          = { metric = "SchedulerDueBacklog", unit = "Count" }
    scheduler_lateness_seconds_max = { metric = "SchedulerLatenessMax", unit = "Seconds" }
  }
}

# --- Log groups ---------------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "web" {
  name              = "/ecs/${var.name}/web"
  retention_in_days = var.log_retention_days
  kms_key_id        = local.kms_key
  tags              = var.tags
}

resource "aws_cloudwatch_log_group" "worker" {
  name              = "/ecs/${var.name}/worker"
  retention_in_days = var.log_retention_days
  kms_key_id        = local.kms_key
  tags              = var.tags
}

resource "aws_cloudwatch_log_group" "migrate" {
  name              = "/ecs/${var.name}/migrate"
  retention_in_days = var.log_retention_days
  kms_key_id        = local.kms_key
  tags              = var.tags
}

# --- Alarm topic --------------------------------------------------------------------------------------------

resource "aws_sns_topic" "alarms" {
  name = "${var.name}-alarms"
  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# --- Metrics from log lines ---------------------------------------------------------------------------------

resource "aws_cloudwatch_log_metric_filter" "dead_letters" {
  name           = "${var.name}-dead-letters"
  log_group_name = aws_cloudwatch_log_group.worker.name
  pattern        = "{ ${join(" || ", [for message in local.dead_letter_messages : "($.msg = \"${message}\")"])} }"

  metric_transformation {
    name          = "DeadLetters"
    namespace     = local.namespace
    value         = "1"
    default_value = "0"
    unit          = "Count"
  }
}

resource "aws_cloudwatch_log_metric_filter" "error_lines" {
  for_each = {
    web    = { group = aws_cloudwatch_log_group.web.name, metric = "WebErrorLines" }
    worker = { group = aws_cloudwatch_log_group.worker.name, metric = "WorkerErrorLines" }
  }

  name           = "${var.name}-${each.key}-error-lines"
  log_group_name = each.value.group
  pattern        = "{ ($.level = \"error\") || ($.level = \"critical\") }"

  metric_transformation {
    name          = each.value.metric
    namespace     = local.namespace
    value         = "1"
    default_value = "0"
    unit          = "Count"
  }
}

resource "aws_cloudwatch_log_metric_filter" "snapshot" {
  for_each = local.snapshot_fields

  name           = "${var.name}-${replace(each.key, "_", "-")}"
  log_group_name = aws_cloudwatch_log_group.worker.name
  pattern        = "{ ($.msg = \"metrics snapshot\") && ($.${each.key} = *) }"

  metric_transformation {
    name      = each.value.metric
    namespace = local.namespace
    value     = "$.${each.key}"
    unit      = each.value.unit
  }
}
