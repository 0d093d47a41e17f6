import Foundation

extension AgentOrchestrator {
    func greeting(_ turn: Turn) async throws -> AgentReply {
        let profile = try await turn.memory.profile(learnerID: turn.learnerID)
        if profile.quizCount > 0 {
            return AgentReply(
                text: "Welcome back! You've answered \(profile.quizCount) quiz"
                    + "\(profile.quizCount == 1 ? "" : "zes") so far (average \(Self.percent(profile.quizAverage))). "
                    + "Ready for your next lesson?",
                quickReplies: ["Next lesson", "Progress", "What should I learn next?"])
        }
        let titles = curriculum.topics.map(\.title).joined(separator: ", ")
        return AgentReply(
            text: "Hi! I'm your business credit card tutor. I teach short lessons, each with a quick quiz. "
                + "Topics: \(titles). Pick a topic (e.g. \"learn APR\") or say \"next lesson\".",
            quickReplies: curriculum.topics.prefix(3).map { "Learn \($0.title)" } + ["Next lesson"])
    }

    func learn(_ topic: String, _ turn: Turn) async throws -> AgentReply {
        let assessment = try await turn.toolbox.assessKnowledge.assess(learnerID: turn.learnerID, topic: topic)
        let stored = try await turn.paths.path(learnerID: turn.learnerID)
        let difficulty: Difficulty
        if let stored, stored.currentTopic == topic {
            difficulty = stored.difficulty
        } else {
            difficulty = assessment.answered > 0 ? assessment.level.suggestedDifficulty : .easy
        }
        let card = try await turn.toolbox.generateAdaptiveLesson.nextLesson(
            learnerID: turn.learnerID, topic: topic, difficulty: difficulty, channel: turn.channel.rawValue)
        try await turn.paths.savePath(
            LearningPath(
                learnerID: turn.learnerID, currentTopic: topic, difficulty: difficulty,
                upcomingTopics: GetLearningPathTool.upcoming(after: topic, in: curriculum)),
            at: clock.now)
        try await turn.memory.recordTopicStarted(learnerID: turn.learnerID, topic: topic)
        return lessonReply(card, intro: "Here's a \(card.difficulty.rawValue) lesson on \(card.topicTitle)")
    }

    func nextLesson(_ turn: Turn) async throws -> AgentReply {
        if let review = try await turn.toolbox.reviews.dueReviews(learnerID: turn.learnerID, limit: 1).first,
            let lesson = curriculum.lesson(id: review.lessonID)
        {
            let card = try await turn.toolbox.generateAdaptiveLesson.present(
                lesson, learnerID: turn.learnerID, channel: turn.channel.rawValue, isReview: true)
            return lessonReply(card, intro: "Time to review a question you missed before")
        }
        guard let first = curriculum.topics.first else { return offTopicReply() }
        let path =
            try await turn.paths.path(learnerID: turn.learnerID)
            ?? LearningPath(
                learnerID: turn.learnerID, currentTopic: first.slug, difficulty: .easy,
                upcomingTopics: GetLearningPathTool.upcoming(after: first.slug, in: curriculum))
        let topic = curriculum.topic(path.currentTopic) != nil ? path.currentTopic : first.slug
        let card = try await turn.toolbox.generateAdaptiveLesson.nextLesson(
            learnerID: turn.learnerID, topic: topic, difficulty: path.difficulty, channel: turn.channel.rawValue)
        try await turn.paths.savePath(path, at: clock.now)
        try await turn.memory.recordTopicStarted(learnerID: turn.learnerID, topic: topic)
        return lessonReply(card, intro: "Next up, a \(card.difficulty.rawValue) lesson on \(card.topicTitle)")
    }

    func answer(_ response: String, _ open: OpenQuiz, _ turn: Turn) async throws -> AgentReply {
        let submission = try await turn.toolbox.evaluateQuizResponse.submit(response: response, attempt: open.attempt)
        switch submission {
        case .notUnderstood(let lesson):
            let options = lesson.quiz.options.enumerated().map { "\(Quiz.letter($0)): \($1)" }.joined(separator: "\n")
            return AgentReply(
                text: "I didn't catch that answer. Reply with A, B, C or D (or 1-4).\n\(options)",
                quickReplies: ["A", "B", "C", "D"])
        case .alreadyAnswered:
            return AgentReply(
                text: "You've already answered that quiz. Say \"next lesson\" for a new one.",
                quickReplies: ["Next lesson"])
        case .graded(let verdict, let lesson):
            try await turn.memory.recordGradedAnswer(
                learnerID: turn.learnerID, topic: lesson.topic, correct: verdict.correct)
            var text = "\(verdict.feedback) \(verdict.explanation)"
            if !verdict.correct { text += " I'll bring this question back for review tomorrow." }
            if let note = try await updatePath(after: lesson, turn) { text += " " + note }
            return AgentReply(
                text: text, verdict: verdict, quickReplies: ["Next lesson", "Progress", "What did I get wrong?"])
        }
    }

    /// Moves the learner's path once they have answered at least twice on the topic they are studying.
    private func updatePath(after lesson: Lesson, _ turn: Turn) async throws -> String? {
        let path = try await turn.paths.path(learnerID: turn.learnerID)
        guard path == nil || path?.currentTopic == lesson.topic else { return nil }
        let assessment = try await turn.toolbox.assessKnowledge.assess(learnerID: turn.learnerID, topic: lesson.topic)
        guard assessment.answered >= 2 else { return nil }
        let step = try await turn.toolbox.getLearningPath.nextStep(
            learnerID: turn.learnerID, currentTopic: lesson.topic, performance: assessment.mastery)
        return pathNote(step)
    }

    func whatNext(_ turn: Turn) async throws -> AgentReply {
        guard let path = try await turn.paths.path(learnerID: turn.learnerID) else {
            let first = curriculum.topics.first.map(\.title) ?? "the first topic"
            return AgentReply(
                text: "Start with \(first) at the easy level. Say \"next lesson\" to begin.",
                quickReplies: ["Next lesson"])
        }
        let assessment = try await turn.toolbox.assessKnowledge.assess(
            learnerID: turn.learnerID, topic: path.currentTopic)
        var text: String
        if assessment.answered == 0 {
            text =
                "Keep going with \(curriculum.title(ofTopic: path.currentTopic)) at the "
                + "\(path.difficulty.rawValue) level."
        } else {
            let step = try await turn.toolbox.getLearningPath.nextStep(
                learnerID: turn.learnerID, currentTopic: path.currentTopic, performance: assessment.mastery)
            text =
                "Your mastery of \(curriculum.title(ofTopic: path.currentTopic)) is "
                + "\(Self.percent(assessment.mastery)). " + pathNote(step)
        }
        let due = try await turn.toolbox.reviews.dueReviews(learnerID: turn.learnerID).count
        if due > 0 { text += " You also have \(due) missed question\(due == 1 ? "" : "s") due for review." }
        return AgentReply(text: text, quickReplies: ["Next lesson", "Progress"])
    }

    func progress(_ turn: Turn) async throws -> AgentReply {
        let profile = try await turn.memory.profile(learnerID: turn.learnerID)
        guard profile.quizCount > 0 else {
            return AgentReply(
                text: "You haven't answered any quizzes yet. Say \"next lesson\" to start.",
                quickReplies: ["Next lesson"])
        }
        var lines = [
            "Your progress: \(profile.quizCount) quiz\(profile.quizCount == 1 ? "" : "zes") answered, average "
                + "\(Self.percent(profile.quizAverage)), level \(profile.level.rawValue)."
        ]
        for topic in profile.topicsCovered {
            let assessment = try await turn.toolbox.assessKnowledge.assess(learnerID: turn.learnerID, topic: topic)
            guard assessment.answered > 0 else { continue }
            lines.append(
                "• \(curriculum.title(ofTopic: topic)): mastery \(Self.percent(assessment.mastery)) "
                    + "(\(assessment.correct)/\(assessment.answered) correct, \(assessment.level.rawValue))")
        }
        if !profile.weakAreas.isEmpty {
            lines.append(
                "Weak areas: \(profile.weakAreas.map { curriculum.title(ofTopic: $0) }.joined(separator: ", ")).")
        }
        let pending = try await turn.toolbox.reviews.pendingReviews(learnerID: turn.learnerID).count
        if pending > 0 { lines.append("Questions waiting for review: \(pending).") }
        return AgentReply(text: lines.joined(separator: "\n"), quickReplies: ["Next lesson", "What did I get wrong?"])
    }

    func mistakes(_ turn: Turn) async throws -> AgentReply {
        let records = try await turn.history.responses(learnerID: turn.learnerID, topic: nil, limit: 100)
        guard !records.isEmpty else {
            return AgentReply(
                text: "You haven't answered any quizzes yet. Say \"next lesson\" to start.",
                quickReplies: ["Next lesson"])
        }
        // The latest answer per lesson decides whether it still counts as missed.
        var latest: [String: QuizRecord] = [:]
        var order: [String] = []
        for record in records where latest[record.lessonID] == nil {
            latest[record.lessonID] = record
            order.append(record.lessonID)
        }
        let missed = order.compactMap { id -> Lesson? in
            latest[id]?.correct == false ? curriculum.lesson(id: id) : nil
        }.prefix(5)
        guard !missed.isEmpty else {
            return AgentReply(
                text: "Nothing to fix: you got every question you answered right. Nice work!",
                quickReplies: ["Next lesson"])
        }
        var lines = ["Questions you missed:"]
        for lesson in missed {
            let quiz = lesson.quiz
            lines.append(
                "• \(lesson.title): \(quiz.question) Correct answer: \(Quiz.letter(quiz.correctIndex))) "
                    + "\(quiz.options[quiz.correctIndex]). \(quiz.explanation)")
        }
        lines.append("They come back for review after 1, 3, 7 and 14 days.")
        return AgentReply(text: lines.joined(separator: "\n"), quickReplies: ["Next lesson", "Progress"])
    }

    func practice(topic: String?, industry: String?, _ turn: Turn) async throws -> AgentReply {
        let path = try await turn.paths.path(learnerID: turn.learnerID)
        guard let slug = topic ?? path?.currentTopic ?? curriculum.topics.first?.slug else { return offTopicReply() }
        if let industry {
            try await turn.memory.setPreference(learnerID: turn.learnerID, key: "industry", value: industry)
        }
        let profile = try await turn.memory.profile(learnerID: turn.learnerID)
        let difficulty = path?.currentTopic == slug ? path?.difficulty ?? .easy : .easy
        let scenario = try turn.toolbox.createPracticeScenario.scenario(
            topic: slug, industry: industry ?? profile.preferences["industry"] ?? "", difficulty: difficulty)
        let steps = scenario.steps.enumerated().map { "\($0 + 1). \($1)" }
        let text = ([scenario.title, scenario.setup] + steps + ["Takeaway: \(scenario.takeaway)"])
            .joined(separator: "\n")
        return AgentReply(text: text, quickReplies: ["Next lesson", "Learn \(curriculum.title(ofTopic: slug))"])
    }

    func helpReply() -> AgentReply {
        let topics = curriculum.topics.map(\.title).joined(separator: ", ")
        return AgentReply(
            text: """
                Here's what I can do:
                • "learn APR" (or any topic: \(topics))
                • "next lesson" for your next lesson, then answer with A, B, C or D
                • "what should I learn next"
                • "progress" and "what did I get wrong"
                • "practice scenario for my restaurant" for a worked example
                """,
            quickReplies: ["Next lesson", "Progress", "Help"])
    }

    func offTopicReply() -> AgentReply {
        AgentReply(
            text: "I'm a tutor for business credit cards, so I can't help with that. Pick a topic or say "
                + "\"next lesson\".",
            quickReplies: curriculum.topics.prefix(3).map { "Learn \($0.title)" } + ["Help"])
    }

    func adviceReply(relatedTopic: String?) -> AgentReply {
        var text =
            "I can't tell you what to do with your own money or which product to choose, but I can teach "
            + "you how to weigh it."
        var quickReplies = ["Next lesson"]
        if let slug = relatedTopic, let topic = curriculum.topic(slug) {
            if !topic.summary.isEmpty { text += " \(topic.title): \(topic.summary)" }
            quickReplies.insert("Learn \(topic.title)", at: 0)
        }
        return AgentReply(text: text + "\n\n" + AdviceGuard.disclaimer, quickReplies: quickReplies)
    }

    private func lessonReply(_ card: LessonCard, intro: String) -> AgentReply {
        AgentReply(
            text: "\(intro): \(card.title). Answer with A, B, C or D.", lesson: card,
            quickReplies: ["A", "B", "C", "D"])
    }

    private func pathNote(_ step: GetLearningPathTool.Recommendation) -> String {
        let next = curriculum.title(ofTopic: step.nextTopic)
        switch step.decision {
        case .advance where step.curriculumComplete:
            return "You've reached the last topic; next you'll take on \(step.difficulty.rawValue) lessons."
        case .advance:
            return "Great work! Next up: \(next) at the \(step.difficulty.rawValue) level."
        case .review:
            return "Let's review \(next) at the \(step.difficulty.rawValue) level."
        case .keep:
            return "Keep going with \(next) at the \(step.difficulty.rawValue) level."
        }
    }

    static func percent(_ value: Double) -> String { "\(Int((value * 100).rounded()))%" }
}
