variable "name" {
  description = "Prefix for every resource name; also the DB instance identifier."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets in two or more zones."
  type        = list(string)
}

variable "security_group_id" {
  description = "Postgres's security group (from the network module)."
  type        = string
}

variable "engine_version" {
  description = "Postgres version: a major version (\"15\", minor upgrades then come automatically) or an exact one (\"15.10\")."
  type        = string
  default     = "15"

  validation {
    condition     = can(regex("^15(\\.[0-9]+)?$", var.engine_version))
    error_message = "The gateway is built and tested against Postgres 15: engine_version must be 15 or 15.x."
  }
}

variable "instance_class" {
  description = "DB instance class."
  type        = string
  default     = "db.t4g.micro"
}

variable "allocated_storage" {
  description = "Initial storage in GiB."
  type        = number
  default     = 20
}

variable "max_allocated_storage" {
  description = "Storage autoscaling ceiling in GiB (0 turns storage autoscaling off)."
  type        = number
  default     = 100
}

variable "database_name" {
  description = "Name of the database the gateway uses."
  type        = string
  default     = "gateway"
}

variable "username" {
  description = "Master user name; the gateway connects as this user (see docs/operations.md to use a separate role)."
  type        = string
  default     = "gateway"
}

variable "multi_az" {
  description = "Keep a synchronous standby in another zone with automatic failover."
  type        = bool
  default     = false
}

variable "backup_retention_days" {
  description = "Days of automated backups and point-in-time recovery (1 to 35)."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be from 1 to 35: automated backups stay on."
  }
}

variable "backup_window" {
  description = "Daily backup window (UTC, hh24:mi-hh24:mi)."
  type        = string
  default     = "03:00-03:30"
}

variable "maintenance_window" {
  description = "Weekly maintenance window (UTC, ddd:hh24:mi-ddd:hh24:mi), not overlapping the backup window."
  type        = string
  default     = "sun:04:00-sun:05:00"
}

variable "deletion_protection" {
  description = "Refuse to delete the instance (prod). With it on, a destroy also keeps a final snapshot."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "KMS key for storage encryption; empty uses the account's aws/rds key. Storage is encrypted either way."
  type        = string
  default     = ""
}

variable "performance_insights_enabled" {
  description = "Turn on Performance Insights (7 days free)."
  type        = bool
  default     = true
}

variable "log_min_duration_ms" {
  description = "Log statements slower than this many milliseconds (-1 turns it off)."
  type        = number
  default     = 500
}

variable "apply_immediately" {
  description = "Apply changes now instead of in the maintenance window (some changes restart the instance)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
