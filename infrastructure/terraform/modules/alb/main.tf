# The public entry point: HTTPS on 443 with an ACM certificate, HTTP on 80 redirected to HTTPS, and one target
# group of web-role tasks. /metrics never leaves the VPC through here, and /api/* only when asked for.

resource "aws_lb" "this" {
  name               = substr("${var.name}-alb", 0, 32)
  load_balancer_type = "application"
  internal           = false
  subnets            = var.public_subnet_ids
  security_groups    = [var.security_group_id]
  idle_timeout       = var.idle_timeout

  # Requests with malformed header names are dropped here instead of being handed to the gateway.
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection

  dynamic "access_logs" {
    for_each = var.access_logs_bucket == "" ? [] : [var.access_logs_bucket]
    content {
      bucket  = access_logs.value
      prefix  = var.name
      enabled = true
    }
  }

  tags = var.tags
}

resource "aws_lb_target_group" "web" {
  name        = substr("${var.name}-web", 0, 32)
  port        = var.app_port
  protocol    = "HTTP"
  target_type = "ip" # Fargate tasks register by their ENI's address
  vpc_id      = var.vpc_id

  deregistration_delay = var.deregistration_delay

  health_check {
    path                = var.health_check_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = var.tags
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }

  tags = var.tags
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }

  tags = var.tags
}

# Paths the load balancer answers itself with 404: Prometheus text is for the VPC's own scrapers, not the
# internet, and the agent API stays private unless expose_agent_api is set.
locals {
  hidden_paths = merge(
    { metrics = { priority = 10, patterns = ["/metrics", "/metrics/*"] } },
    var.expose_agent_api ? {} : { agent-api = { priority = 20, patterns = ["/api/*"] } },
  )
}

resource "aws_lb_listener_rule" "hidden" {
  for_each = local.hidden_paths

  listener_arn = aws_lb_listener.https.arn
  priority     = each.value.priority

  condition {
    path_pattern {
      values = each.value.patterns
    }
  }

  action {
    type = "fixed-response"
    fixed_response {
      content_type = "application/json"
      message_body = "{\"error\":\"not found\"}"
      status_code  = "404"
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-hide-${each.key}" })
}

resource "aws_wafv2_web_acl_association" "this" {
  count = var.web_acl_arn == "" ? 0 : 1

  resource_arn = aws_lb.this.arn
  web_acl_arn  = var.web_acl_arn
}
