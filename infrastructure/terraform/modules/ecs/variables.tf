variable "name" {
  description = "Prefix for every resource name; the cluster is NAME and the services NAME-web and NAME-worker."
  type        = string
}

variable "image" {
  description = "The gateway's container image (infrastructure/docker/Dockerfile), by tag or, better, by digest: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/learning-gateway@sha256:…"
  type        = string
}

variable "cpu_architecture" {
  description = "CPU architecture the image is built for: X86_64 or ARM64."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "public_base_url" {
  description = "PUBLIC_BASE_URL: the https:// URL Slack and Twilio call (Twilio signs it), e.g. https://learn.example.com."
  type        = string

  validation {
    condition     = can(regex("^https://[^/]+$", var.public_base_url))
    error_message = "public_base_url must be https://HOST, with no path or trailing slash."
  }
}

variable "environment" {
  description = "Settings that are not secret (docs/configuration.md): LOG_LEVEL, TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID, ADMIN_SLACK_USER_IDS, DATABASE_POOL_SIZE… Secrets go to `secret_arns`, never here."
  type        = map(string)
  default     = {}
}

variable "secret_arns" {
  description = "Environment variable name → Secrets Manager ARN (from the secrets module); ECS injects each value at start."
  type        = map(string)
}

variable "secrets_kms_key_arn" {
  description = "The KMS key the secrets are encrypted with, when it is not the account's aws/secretsmanager key."
  type        = string
  default     = ""
}

variable "private_subnet_ids" {
  description = "Private subnets the tasks run in."
  type        = list(string)
}

variable "security_group_id" {
  description = "The tasks' security group (from the network module)."
  type        = string
}

variable "target_group_arn" {
  description = "The load balancer target group the web tasks register with."
  type        = string
}

variable "https_listener_arn" {
  description = "The load balancer's HTTPS listener; the web service is created after it."
  type        = string
}

variable "alb_arn_suffix" {
  description = "The load balancer's ARN suffix (for request-count autoscaling)."
  type        = string
}

variable "target_group_arn_suffix" {
  description = "The target group's ARN suffix (for request-count autoscaling)."
  type        = string
}

variable "log_group_names" {
  description = "Log group of each task definition (from the observability module): web, worker, migrate."
  type = object({
    web     = string
    worker  = string
    migrate = string
  })
}

variable "app_port" {
  description = "PORT: the port the gateway listens on in its container."
  type        = number
  default     = 8080
}

variable "web" {
  description = "The web role (`gateway serve --roles web`): size (Fargate CPU units and MiB), replica range, and autoscaling targets: average CPU percent, and load balancer requests a minute per task (12,000 = 200/s, well under what one task stores; see docs/scaling.md)."
  type = object({
    cpu                  = optional(number, 512)
    memory               = optional(number, 1024)
    min_count            = optional(number, 2)
    max_count            = optional(number, 10)
    cpu_target_percent   = optional(number, 60)
    requests_per_target  = optional(number, 12000)
    health_check_seconds = optional(number, 60)
  })
  default = {}
}

variable "worker" {
  description = "The worker and scheduler roles (`gateway serve --roles worker,scheduler`): size (Fargate CPU units and MiB), replica range and average CPU target percent."
  type = object({
    cpu                = optional(number, 512)
    memory             = optional(number, 1024)
    min_count          = optional(number, 1)
    max_count          = optional(number, 6)
    cpu_target_percent = optional(number, 60)
  })
  default = {}
}

variable "migrate" {
  description = "The one-off migration task (`gateway migrate`): size."
  type = object({
    cpu    = optional(number, 256)
    memory = optional(number, 512)
  })
  default = {}
}

variable "stop_timeout_seconds" {
  description = "Seconds between SIGTERM and SIGKILL: the gateway drains in-flight requests and stops its loops in this time."
  type        = number
  default     = 30
}

variable "enable_execute_command" {
  description = "Allow `aws ecs execute-command` into running tasks (audited through CloudTrail)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
