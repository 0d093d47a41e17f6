/// A validated set of topics and lessons, in the pack's topic order.
package struct CurriculumPack: Sendable {
    package let name: String
    package let title: String
    package let version: String
    /// Topics in the order learners move through them.
    package let topics: [Topic]
    /// Every lesson, grouped by topic in pack order, then by difficulty, then in file order.
    package let lessons: [Lesson]
    private let lessonsByID: [String: Lesson]
    private let topicsBySlug: [String: Topic]

    /// Builds a pack from parts that have already been validated (see `CurriculumLoader`).
    package init(name: String, title: String, version: String, topics: [Topic], lessons: [Lesson]) {
        self.name = name
        self.title = title
        self.version = version
        self.topics = topics
        let order = Dictionary(uniqueKeysWithValues: topics.enumerated().map { ($1.slug, $0) })
        self.lessons = lessons.enumerated().sorted { lhs, rhs in
            let left = (order[lhs.element.topic] ?? Int.max, lhs.element.difficulty.rank, lhs.offset)
            let right = (order[rhs.element.topic] ?? Int.max, rhs.element.difficulty.rank, rhs.offset)
            return left < right
        }.map(\.element)
        self.lessonsByID = Dictionary(lessons.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.topicsBySlug = Dictionary(topics.map { ($0.slug, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The lesson with this curriculum id.
    package func lesson(id: String) -> Lesson? { lessonsByID[id] }

    /// The topic with this slug.
    package func topic(_ slug: String) -> Topic? { topicsBySlug[slug] }

    /// A topic's lessons, optionally only one difficulty, in pack order.
    package func lessons(in topic: String, difficulty: Difficulty? = nil) -> [Lesson] {
        lessons.filter { $0.topic == topic && (difficulty == nil || $0.difficulty == difficulty) }
    }

    /// The topic after `slug` in pack order; nil for the last topic or an unknown one.
    package func topic(after slug: String) -> Topic? {
        guard let index = topics.firstIndex(where: { $0.slug == slug }), index + 1 < topics.count else { return nil }
        return topics[index + 1]
    }

    /// The title of a topic, or its slug when the pack does not know it.
    package func title(ofTopic slug: String) -> String { topicsBySlug[slug]?.title ?? slug }
}
