import Foundation

/// The six tools over one curriculum and one set of stores, by name for planners and typed for Swift callers.
package struct LearningToolbox: Sendable {
    package let assessKnowledge: AssessKnowledgeTool
    package let generateAdaptiveLesson: GenerateAdaptiveLessonTool
    package let createPracticeScenario: CreatePracticeScenarioTool
    package let evaluateQuizResponse: EvaluateQuizResponseTool
    package let getLearningPath: GetLearningPathTool
    package let trackEngagement: TrackEngagementTool
    package let reviews: SpacedReviewScheduler

    package init(
        curriculum: CurriculumPack,
        attempts: any LessonAttemptStore,
        history: any QuizHistoryStore,
        reviewStore: any ReviewStore,
        paths: any LearningPathStore,
        engagement: any EngagementStore,
        clock: any WallClock
    ) {
        let reviews = SpacedReviewScheduler(store: reviewStore, clock: clock)
        self.reviews = reviews
        self.assessKnowledge = AssessKnowledgeTool(history: history, curriculum: curriculum)
        self.generateAdaptiveLesson = GenerateAdaptiveLessonTool(
            attempts: attempts, curriculum: curriculum, clock: clock)
        self.createPracticeScenario = CreatePracticeScenarioTool(curriculum: curriculum)
        self.evaluateQuizResponse = EvaluateQuizResponseTool(
            attempts: attempts, reviews: reviews, curriculum: curriculum, clock: clock)
        self.getLearningPath = GetLearningPathTool(paths: paths, reviews: reviews, curriculum: curriculum, clock: clock)
        self.trackEngagement = TrackEngagementTool(store: engagement, clock: clock)
    }

    /// Every store from one Postgres-backed implementation.
    package init(curriculum: CurriculumPack, store: PostgresLearningStore, clock: any WallClock) {
        self.init(
            curriculum: curriculum, attempts: store, history: store, reviewStore: store, paths: store,
            engagement: store, clock: clock)
    }

    /// The tools in a stable order.
    package var all: [any LearningTool] {
        [
            assessKnowledge, generateAdaptiveLesson, createPracticeScenario, evaluateQuizResponse, getLearningPath,
            trackEngagement,
        ]
    }

    /// The tool with this name, or nil.
    package func tool(named name: String) -> (any LearningTool)? {
        all.first { $0.name == name }
    }

    /// Runs a tool by name on JSON input; an unknown name throws `unknownTool`.
    package func run(_ name: String, input: JSONValue) async throws -> JSONValue {
        guard let tool = tool(named: name) else {
            throw LearningError(code: .unknownTool, message: "no tool named \(name)")
        }
        return try await tool.run(input: input)
    }
}
