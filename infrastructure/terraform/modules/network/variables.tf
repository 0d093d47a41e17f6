variable "name" {
  description = "Prefix for every resource name, e.g. learning-gateway-prod."
  type        = string
}

variable "cidr_block" {
  description = "The VPC's IPv4 range. Public and private subnets are carved from it, one of each per zone."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0))
    error_message = "cidr_block must be an IPv4 CIDR block such as 10.40.0.0/16."
  }
}

variable "az_count" {
  description = "How many availability zones to spread subnets over (2 or more: the ALB and a Multi-AZ database need two)."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 6
    error_message = "az_count must be from 2 to 6."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for every private subnet (cheaper; outbound traffic stops if its zone fails) instead of one per zone."
  type        = bool
  default     = false
}

variable "app_port" {
  description = "The port the gateway's HTTP server listens on inside its container (PORT)."
  type        = number
  default     = 8080
}

variable "flow_logs_retention_days" {
  description = "Days to keep VPC flow logs (rejected traffic only); 0 turns flow logs off."
  type        = number
  default     = 0
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
