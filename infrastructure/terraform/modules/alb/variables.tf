variable "name" {
  description = "Prefix for every resource name. The load balancer's and target group's names are cut to AWS's 32 characters."
  type        = string
}

variable "vpc_id" {
  description = "The VPC the target group's tasks run in."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets in two or more zones."
  type        = list(string)
}

variable "security_group_id" {
  description = "The load balancer's security group (from the network module)."
  type        = string
}

variable "certificate_arn" {
  description = "ARN of the ACM certificate for the public host name (issued in this region), served on 443."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)."
  }
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener (TLS 1.3 and 1.2 only by default)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "app_port" {
  description = "The port the gateway listens on in its container."
  type        = number
  default     = 8080
}

variable "health_check_path" {
  description = "Path the load balancer probes on each task. /health (the process is up) by default; see docs/operations.md for why not /ready."
  type        = string
  default     = "/health"
}

variable "idle_timeout" {
  description = "Seconds a connection may sit idle at the load balancer."
  type        = number
  default     = 60
}

variable "deregistration_delay" {
  description = "Seconds the load balancer keeps sending in-flight requests to a task it is removing (the gateway drains on SIGTERM)."
  type        = number
  default     = 30
}

variable "expose_agent_api" {
  description = "Route /api/* to the gateway. Off: the load balancer answers 404 and the agent API stays private."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Refuse to delete the load balancer (prod)."
  type        = bool
  default     = false
}

variable "access_logs_bucket" {
  description = "S3 bucket for the load balancer's access logs (its policy must let ELB write); empty turns access logs off."
  type        = string
  default     = ""
}

variable "web_acl_arn" {
  description = "ARN of an AWS WAF web ACL (regional) to put in front of the load balancer; empty for none. Rules that inspect bodies must allow Slack's and Twilio's webhooks (form and JSON bodies up to MAX_BODY_BYTES)."
  type        = string
  default     = ""
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
