import Foundation

/// What one gateway process does. A small deployment runs all three in one process; a large one runs web
/// replicas behind the load balancer and worker/scheduler replicas beside them.
package enum GatewayRole: String, CaseIterable, Sendable, Comparable {
    /// The HTTP server: webhooks, agent API, health, readiness and metrics.
    case web
    /// Inbox and outbox workers: process stored webhooks and send replies.
    case worker
    /// The daily-lesson scheduler: planner, Redis due set, reconciler.
    case scheduler

    package static func < (lhs: GatewayRole, rhs: GatewayRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses `web,worker,scheduler` (any order, no duplicates).
    package static func parseList(_ text: String) throws(ConfigurationError) -> Set<GatewayRole> {
        var roles = Set<GatewayRole>()
        for part in text.split(separator: ",") {
            guard let role = GatewayRole(rawValue: part.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw .malformed("--roles", expected: "a comma-separated list of web, worker, scheduler")
            }
            roles.insert(role)
        }
        guard !roles.isEmpty else { throw .malformed("--roles", expected: "at least one of web, worker, scheduler") }
        return roles
    }
}
