output "vpc_id" {
  description = "The VPC's id."
  value       = aws_vpc.this.id
}

output "availability_zones" {
  description = "The zones the subnets are in."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "Public subnets (load balancer, NAT gateways), one per zone."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets (tasks, Postgres, Redis), one per zone."
  value       = aws_subnet.private[*].id
}

output "alb_security_group_id" {
  description = "Security group of the load balancer."
  value       = aws_security_group.alb.id
}

output "app_security_group_id" {
  description = "Security group of the gateway's tasks."
  value       = aws_security_group.app.id
}

output "database_security_group_id" {
  description = "Security group of Postgres."
  value       = aws_security_group.database.id
}

output "cache_security_group_id" {
  description = "Security group of Redis."
  value       = aws_security_group.cache.id
}
