variable "name" {
  description = "Prefix for every resource name, e.g. learning-gateway-prod."
  type        = string
}

variable "metric_namespace" {
  description = "CloudWatch namespace of the metrics made from the gateway's logs; empty means LearningGateway/NAME."
  type        = string
  default     = ""
}

variable "log_retention_days" {
  description = "Days to keep the gateway's logs."
  type        = number
  default     = 30
}

variable "log_kms_key_arn" {
  description = "KMS key for the log groups (its key policy must allow the CloudWatch Logs service); empty uses CloudWatch's own encryption."
  type        = string
  default     = ""
}

variable "alarm_emails" {
  description = "Email addresses subscribed to the alarm topic (each must confirm the subscription)."
  type        = list(string)
  default     = []
}

variable "alb_arn_suffix" {
  description = "The load balancer's ARN suffix."
  type        = string
}

variable "target_group_arn_suffix" {
  description = "The web target group's ARN suffix."
  type        = string
}

variable "cluster_name" {
  description = "The ECS cluster's name (Container Insights dimension)."
  type        = string
}

variable "worker_service_name" {
  description = "The worker/scheduler service's name (Container Insights dimension)."
  type        = string
}

variable "db_instance_identifier" {
  description = "The RDS instance identifier."
  type        = string
}

variable "cache_cluster_ids" {
  description = "The Redis nodes' ids (one alarm set per node)."
  type        = list(string)
}

variable "snapshot_alarms_enabled" {
  description = "Alarm on the values of the gateway's periodic \"metrics snapshot\" log line (backlogs, scheduler lateness) and on its absence. See docs/operations.md."
  type        = bool
  default     = true
}

variable "thresholds" {
  description = "Alarm thresholds; docs/operations.md explains each."
  type = object({
    http_5xx_percent            = optional(number, 5)
    http_5xx_min_requests       = optional(number, 20)
    dead_letters                = optional(number, 1)
    error_lines                 = optional(number, 50)
    scheduler_lateness_seconds  = optional(number, 300)
    inbox_backlog               = optional(number, 1000)
    outbox_backlog              = optional(number, 10000)
    scheduler_due_backlog       = optional(number, 50000)
    database_cpu_percent        = optional(number, 80)
    database_free_storage_bytes = optional(number, 5368709120)
    redis_memory_percent        = optional(number, 75)
    redis_engine_cpu_percent    = optional(number, 80)
  })
  default = {}
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
