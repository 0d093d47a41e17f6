/// How a kind of business uses its card, for adapting scenarios. Unknown industries get a neutral profile
/// named after what the learner typed (letters and spaces only).
package struct IndustryProfile: Sendable, Equatable {
    package let key: String
    /// Reads after "You run": "a restaurant".
    package let business: String
    package let purchases: String
    /// Typical monthly card spend, in dollars.
    package let monthlySpend: Double
    /// A merchant an unexpected charge might claim to come from.
    package let supplier: String

    private static let known: [IndustryProfile] = [
        .init(
            key: "restaurant", business: "a restaurant", purchases: "produce and kitchen supplies",
            monthlySpend: 8_000, supplier: "a food distributor"),
        .init(
            key: "retail", business: "a retail shop", purchases: "inventory and shipping",
            monthlySpend: 10_000, supplier: "a wholesale supplier"),
        .init(
            key: "construction", business: "a construction firm", purchases: "materials and equipment rentals",
            monthlySpend: 15_000, supplier: "a building supply store"),
        .init(
            key: "consulting", business: "a consulting practice", purchases: "travel and software subscriptions",
            monthlySpend: 4_000, supplier: "a software vendor"),
        .init(
            key: "healthcare", business: "a medical clinic", purchases: "medical supplies",
            monthlySpend: 7_000, supplier: "a medical supply company"),
        .init(
            key: "landscaping", business: "a landscaping company", purchases: "fuel, plants and tools",
            monthlySpend: 5_000, supplier: "a garden center"),
        .init(
            key: "technology", business: "a software startup", purchases: "cloud hosting and laptops",
            monthlySpend: 12_000, supplier: "a cloud provider"),
        .init(
            key: "transportation", business: "a delivery company", purchases: "fuel and vehicle repairs",
            monthlySpend: 9_000, supplier: "a fuel station chain"),
        .init(
            key: "agriculture", business: "a farm", purchases: "seed, feed and fuel",
            monthlySpend: 6_000, supplier: "a farm supply co-op"),
        .init(
            key: "manufacturing", business: "a small manufacturer", purchases: "raw materials and parts",
            monthlySpend: 20_000, supplier: "a parts distributor"),
    ]

    private static let synonyms: [String: String] = [
        "restaurants": "restaurant", "food": "restaurant", "cafe": "restaurant", "catering": "restaurant",
        "shop": "retail", "store": "retail", "ecommerce": "retail", "e-commerce": "retail",
        "contractor": "construction", "builder": "construction", "consultant": "consulting",
        "medical": "healthcare", "clinic": "healthcare", "dental": "healthcare", "tech": "technology",
        "software": "technology", "saas": "technology", "trucking": "transportation", "logistics": "transportation",
        "delivery": "transportation", "farm": "agriculture", "farming": "agriculture", "factory": "manufacturing",
        "lawn care": "landscaping", "gardening": "landscaping",
    ]

    package init(key: String, business: String, purchases: String, monthlySpend: Double, supplier: String) {
        self.key = key
        self.business = business
        self.purchases = purchases
        self.monthlySpend = monthlySpend
        self.supplier = supplier
    }

    /// The profile for what a learner typed as their industry.
    package static func named(_ industry: String) -> IndustryProfile {
        let cleaned = String(industry.lowercased().filter { $0.isLetter || $0 == " " || $0 == "-" }.prefix(40))
            .split(separator: " ").joined(separator: " ")
        let key = synonyms[cleaned] ?? cleaned
        if let profile = known.first(where: { $0.key == key }) { return profile }
        if cleaned.isEmpty {
            return IndustryProfile(
                key: "general", business: "a small business", purchases: "supplies and services",
                monthlySpend: 5_000, supplier: "a supplier")
        }
        return IndustryProfile(
            key: cleaned, business: "a \(cleaned) business", purchases: "supplies and services",
            monthlySpend: 5_000, supplier: "a supplier")
    }
}
