/// Something that answers one agent turn: the deterministic ``AgentOrchestrator`` or the ``AdaptiveAgent`` that
/// tries the LLM first. The gateway's workers and API depend on this, not on either planner.
package protocol AgentTurnHandler: Sendable {
    /// Answers one turn and records it (memory and engagement) exactly once.
    func handle(_ input: AgentInput) async throws -> AgentReply
}

extension AgentOrchestrator: AgentTurnHandler {}
