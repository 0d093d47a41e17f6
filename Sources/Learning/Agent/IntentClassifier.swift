/// Deterministic intent classification: keyword phrases checked in a fixed order, so "what should I learn
/// next" is a question about the path, not a request for the next lesson, and "A" is an answer only when a
/// quiz is open (or looks like one, so the learner hears that none is).
package struct IntentClassifier: Sendable {
    private let topics: TopicMatcher
    private let parser = AnswerParser()

    private static let mistakes = [
        "get wrong", "got wrong", "did i miss", "i missed", "my mistakes", "mistakes", "wrong answers",
        "what did i miss", "questions i missed",
    ]
    private static let progress = [
        "progress", "how am i doing", "my stats", "stats", "my score", "my scores", "report card", "my level",
    ]
    private static let whatNext = [
        "learn next", "study next", "what next", "whats next", "what should i", "recommend", "learning path",
        "where should i go", "what do i do next",
    ]
    private static let practice = ["scenario", "practice", "example", "case study", "worked"]
    private static let help = ["help", "what can you do", "commands", "how does this work", "menu", "options"]
    private static let nextLesson = [
        "next", "another", "more", "continue", "lesson", "quiz me", "quiz", "teach me", "learn", "go on", "ready",
    ]
    private static let greetings = [
        "hi", "hello", "hey", "hiya", "howdy", "greetings", "yo", "start", "good morning", "good afternoon",
        "good evening", "morning", "hola",
    ]

    package init(curriculum: CurriculumPack) {
        self.topics = TopicMatcher(curriculum: curriculum)
    }

    /// The intent of `text`, given the options of the open quiz (nil when none is open).
    package func classify(_ text: String, openQuizOptions: [String]?) -> Intent {
        let normalized = TopicMatcher.normalize(text)
        guard !normalized.isEmpty else { return .help }
        if let options = openQuizOptions,
            parser.index(of: text, options: options) != nil || parser.looksLikeOptionLabel(text)
        {
            return .answer(text)
        }
        let padded = " \(normalized) "
        func mentions(_ phrases: [String]) -> Bool { phrases.contains { padded.contains(" \($0) ") } }

        if mentions(Self.mistakes) { return .mistakes }
        if mentions(Self.progress) { return .progress }
        if mentions(Self.whatNext) { return .whatNext }
        if mentions(Self.practice) {
            return .practice(topic: topics.topic(in: text), industry: Self.industry(in: normalized))
        }
        if let topic = topics.topic(in: text) { return .learnTopic(topic) }
        if mentions(Self.help) { return .help }
        if mentions(Self.nextLesson) { return .nextLesson }
        if Self.greetings.contains(where: { padded.hasPrefix(" \($0) ") }) { return .greeting }
        // A bare option label with no quiz open: still an answer, so the learner is told no quiz is open.
        if parser.looksLikeOptionLabel(text) { return .answer(text) }
        return .offTopic
    }

    /// The industry after "for my", "for a", "i run a"…, one or two words.
    static func industry(in normalized: String) -> String? {
        let words = normalized.split(separator: " ").map(String.init)
        let markers: [[String]] = [
            ["for", "my"], ["for", "a"], ["for", "an"], ["i", "run", "a"], ["i", "run", "an"],
            ["i", "own", "a"], ["i", "own", "an"],
        ]
        for marker in markers {
            guard words.count > marker.count else { continue }
            for start in 0...(words.count - marker.count - 1)
            where Array(words[start..<(start + marker.count)]) == marker {
                let rest = words[(start + marker.count)...]
                let stop: Set<String> = ["business", "company", "shop", "firm", "and", "with", "on", "about"]
                let picked = rest.prefix(2).prefix { !stop.contains($0) }
                if let first = picked.first, !["the", "me", "my"].contains(first) {
                    return picked.joined(separator: " ")
                }
            }
        }
        return nil
    }
}
