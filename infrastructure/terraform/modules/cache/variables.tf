variable "name" {
  description = "Prefix for every resource name; also the replication group id (at most 40 characters)."
  type        = string

  validation {
    condition     = length(var.name) <= 40
    error_message = "ElastiCache replication group ids are at most 40 characters."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets in two or more zones."
  type        = list(string)
}

variable "security_group_id" {
  description = "Redis's security group (from the network module)."
  type        = string
}

variable "engine_version" {
  description = "Redis OSS engine version (7.x)."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^7\\.", var.engine_version))
    error_message = "engine_version must be a Redis 7 version such as 7.1."
  }
}

variable "node_type" {
  description = "Cache node type."
  type        = string
  default     = "cache.t4g.micro"
}

variable "num_cache_clusters" {
  description = "Nodes in the replication group: one primary plus replicas (1 to 6). Automatic failover needs 2 or more."
  type        = number
  default     = 1

  validation {
    condition     = var.num_cache_clusters >= 1 && var.num_cache_clusters <= 6
    error_message = "num_cache_clusters must be from 1 to 6."
  }
}

variable "automatic_failover" {
  description = "Promote a replica when the primary fails (and spread nodes over zones). Needs num_cache_clusters >= 2."
  type        = bool
  default     = false
}

variable "transit_encryption_enabled" {
  description = "Require TLS between clients and Redis. Leave it false for now: the gateway's Redis client (hiredis 0.14) does not speak TLS, so turning it on stops the gateway from reaching Redis. See docs/security.md."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "KMS key for encryption at rest; empty uses the ElastiCache default key. Data at rest is encrypted either way."
  type        = string
  default     = ""
}

variable "snapshot_retention_days" {
  description = "Days of daily snapshots (0: none). Redis can be rebuilt from Postgres, so snapshots only shorten a rebuild."
  type        = number
  default     = 0
}

variable "maintenance_window" {
  description = "Weekly maintenance window (UTC, ddd:hh24:mi-ddd:hh24:mi)."
  type        = string
  default     = "sun:05:00-sun:06:00"
}

variable "apply_immediately" {
  description = "Apply changes now instead of in the maintenance window."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
