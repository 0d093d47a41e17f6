variable "name" {
  description = "Prefix for every resource name, e.g. learning-gateway-prod (letters, digits and hyphens; at most 28 characters so that derived names fit AWS's limits)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,27}$", var.name))
    error_message = "name must be 2 to 28 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "image" {
  description = "The gateway's container image, preferably by digest."
  type        = string
}

variable "cpu_architecture" {
  description = "CPU architecture the image is built for: X86_64 or ARM64."
  type        = string
  default     = "X86_64"
}

variable "public_base_url" {
  description = "https://HOST that Slack and Twilio call; HOST must be covered by certificate_arn and point at the load balancer."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for the public host name, in this region."
  type        = string
}

variable "environment" {
  description = "Non-secret settings for every task (docs/configuration.md), e.g. LOG_LEVEL, TWILIO_FROM_NUMBER, ADMIN_SLACK_USER_IDS."
  type        = map(string)
  default     = {}
}

variable "provider_secret_names" {
  description = "Provider credentials the tasks read from Secrets Manager; null means all of them. Leave out what you do not use (see the secrets module)."
  type        = list(string)
  default     = null
}

variable "kms_key_arn" {
  description = "One customer-managed KMS key for Postgres, Redis and the secrets; empty uses the AWS-managed keys. Encryption at rest is on either way."
  type        = string
  default     = ""
}

variable "network" {
  description = "VPC range, zones and NAT layout."
  type = object({
    cidr_block               = optional(string, "10.40.0.0/16")
    az_count                 = optional(number, 2)
    single_nat_gateway       = optional(bool, false)
    flow_logs_retention_days = optional(number, 0)
  })
  default = {}
}

variable "load_balancer" {
  description = "Load balancer options."
  type = object({
    deletion_protection = optional(bool, false)
    expose_agent_api    = optional(bool, false)
    access_logs_bucket  = optional(string, "")
    idle_timeout        = optional(number, 60)
    web_acl_arn         = optional(string, "")
  })
  default = {}
}

variable "database" {
  description = "Postgres size, availability and backups."
  type = object({
    engine_version               = optional(string, "15")
    instance_class               = optional(string, "db.t4g.micro")
    allocated_storage            = optional(number, 20)
    max_allocated_storage        = optional(number, 100)
    multi_az                     = optional(bool, false)
    backup_retention_days        = optional(number, 7)
    deletion_protection          = optional(bool, false)
    performance_insights_enabled = optional(bool, true)
    apply_immediately            = optional(bool, false)
  })
  default = {}
}

variable "cache" {
  description = "Redis size and availability."
  type = object({
    engine_version          = optional(string, "7.1")
    node_type               = optional(string, "cache.t4g.micro")
    num_cache_clusters      = optional(number, 1)
    automatic_failover      = optional(bool, false)
    snapshot_retention_days = optional(number, 0)
    apply_immediately       = optional(bool, false)
  })
  default = {}
}

variable "web" {
  description = "Web role tasks: cpu, memory, min_count, max_count, cpu_target_percent, requests_per_target, health_check_seconds (types and defaults: the ecs module's `web`)."
  type        = any
  default     = {}
}

variable "worker" {
  description = "Worker/scheduler role tasks: cpu, memory, min_count, max_count, cpu_target_percent (types and defaults: the ecs module's `worker`)."
  type        = any
  default     = {}
}

variable "enable_execute_command" {
  description = "Allow `aws ecs execute-command` into running tasks."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Days to keep the gateway's logs."
  type        = number
  default     = 30
}

variable "alarm_emails" {
  description = "Email addresses that receive alarms."
  type        = list(string)
  default     = []
}

variable "snapshot_alarms_enabled" {
  description = "Alarm on the periodic \"metrics snapshot\" log line (see the observability module)."
  type        = bool
  default     = true
}

variable "alarm_thresholds" {
  description = "Overrides of alarm thresholds (names, types and defaults: the observability module's `thresholds`)."
  type        = any
  default     = {}
}

variable "tags" {
  description = "Tags added to every resource (the environments also set provider default tags)."
  type        = map(string)
  default     = {}
}
