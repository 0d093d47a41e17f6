/// A subject of the curriculum, such as `apr` or `fraud-and-security`.
package struct Topic: Sendable, Hashable, Codable {
    /// The stable identifier used in files, the database and tool inputs.
    package let slug: String
    package let title: String
    package let summary: String

    package init(slug: String, title: String, summary: String) {
        self.slug = slug
        self.title = title
        self.summary = summary
    }
}
