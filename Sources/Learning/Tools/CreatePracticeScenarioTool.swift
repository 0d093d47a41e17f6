import Foundation

/// `create_practice_scenario(topic, industry, difficulty)`: a worked scenario for the learner's kind of
/// business, built from a curriculum scenario of the topic and a worked calculation with the industry's
/// typical numbers. Deterministic: the same input always gives the same scenario.
package struct CreatePracticeScenarioTool: LearningTool {
    /// A scenario with its worked steps.
    package struct Scenario: Sendable, Equatable, Codable {
        package let topic: String
        package let industry: String
        package let difficulty: Difficulty
        package let title: String
        package let setup: String
        package let steps: [String]
        package let takeaway: String
        package let basedOnLesson: String
    }

    private struct Input: Decodable {
        let topic: String
        let industry: String
        let difficulty: Difficulty
    }

    private let curriculum: CurriculumPack

    package init(curriculum: CurriculumPack) {
        self.curriculum = curriculum
    }

    package let name = "create_practice_scenario"
    package let description = """
        Build a worked practice scenario on a topic for the learner's industry (restaurant, retail, \
        construction, consulting...) at a difficulty, with step-by-step numbers and a takeaway.
        """
    package var inputSchema: ToolInputSchema {
        ToolInputSchema(
            properties: [
                "topic": .string("The topic slug.", oneOf: curriculum.topics.map(\.slug)),
                "industry": .string("The learner's kind of business, e.g. restaurant."),
                "difficulty": .string("The difficulty.", oneOf: Difficulty.allCases.map(\.rawValue)),
            ],
            required: ["topic", "industry", "difficulty"])
    }

    package func run(input: JSONValue) async throws -> JSONValue {
        let input = try decodeInput(Input.self, from: input)
        return try JSONValue.encoding(
            try scenario(topic: input.topic, industry: input.industry, difficulty: input.difficulty))
    }

    /// Builds the scenario. Throws `unknownTopic` for a slug the curriculum lacks.
    package func scenario(topic: String, industry: String, difficulty: Difficulty) throws -> Scenario {
        guard let topicInfo = curriculum.topic(topic) else {
            throw LearningError(
                code: .unknownTopic,
                message: "\(name): the topic is not in the curriculum; use a slug from the input schema")
        }
        let profile = IndustryProfile.named(industry)
        let candidates = curriculum.lessons(in: topic, difficulty: difficulty)
        let pool = candidates.isEmpty ? curriculum.lessons(in: topic) : candidates
        guard !pool.isEmpty else {
            throw LearningError(code: .unknownTopic, message: "\(name): topic \(topic) has no lessons")
        }
        // A stable choice: the same industry always meets the same lesson's scenario.
        let seed = profile.key.unicodeScalars.reduce(0) { $0 &+ Int($1.value) }
        let lesson = pool[seed % pool.count]
        let scale: Double =
            switch difficulty {
            case .easy: 1
            case .medium: 2
            case .hard: 4
            }
        let spend = profile.monthlySpend * scale
        let worked = Self.workedSteps(topic: topic, profile: profile, spend: spend, difficulty: difficulty)
        let setup =
            "You run \(profile.business) that puts about \(Money.format(spend)) a month of "
            + "\(profile.purchases) on a business credit card. \(lesson.scenario)"
        return Scenario(
            topic: topic, industry: profile.key, difficulty: difficulty,
            title: "\(topicInfo.title) for \(profile.business)", setup: setup, steps: worked.steps,
            takeaway: worked.takeaway, basedOnLesson: lesson.id)
    }

    private static func workedSteps(
        topic: String, profile: IndustryProfile, spend: Double, difficulty: Difficulty
    ) -> (steps: [String], takeaway: String) {
        switch topic {
        case "apr":
            let apr: Double =
                switch difficulty {
                case .easy: 0.24
                case .medium: 0.219
                case .hard: 0.275
                }
            let monthly = apr / 12
            return (
                [
                    "The card's APR is \(Money.percent(apr)); the monthly rate is APR ÷ 12 = "
                        + "\(Money.percent(monthly)).",
                    "Carrying the \(Money.format(spend)) balance one month costs about "
                        + "\(Money.format(spend * monthly)).",
                    "Carrying it a full year costs about \(Money.format(spend * apr)) before compounding.",
                ], "Paying the statement balance in full each month avoids the APR entirely."
            )
        case "interest":
            let apr = 0.22
            let daily = apr / 365
            let interest = spend * daily * 30
            return (
                [
                    "Daily periodic rate = 22% ÷ 365 = \(Money.percent(daily, digits: 4)).",
                    "Average daily balance \(Money.format(spend)) × daily rate × 30 days = \(Money.format(interest)).",
                    "Paying in full by the due date keeps the grace period, so new purchases accrue no interest.",
                ], "Interest is charged on the average daily balance; the grace period only holds if you pay in full."
            )
        case "credit-limits":
            let limit = profile.monthlySpend * 3
            return (
                [
                    "With a \(Money.format(limit)) limit, spending \(Money.format(spend)) uses "
                        + "\(Money.percent(spend / limit)) of the limit.",
                    "Keeping utilization under 30% means a balance below \(Money.format(limit * 0.3)).",
                    "A mid-cycle payment frees available credit before a large order from \(profile.supplier).",
                ], "Plan large purchases against available credit, not the full limit."
            )
        case "rewards":
            let category = spend * 0.4
            let flat = spend * 12 * 0.02
            let tiered = (category * 0.03 + (spend - category) * 0.01) * 12
            return (
                [
                    "A flat 2% card earns \(Money.format(spend)) × 12 × 2% = \(Money.format(flat)) a year.",
                    "A 3% card on \(profile.purchases) (40% of spend) and 1% elsewhere earns \(Money.format(tiered)).",
                    "Subtract any annual fee before comparing the two.",
                ], "Match the reward structure to where the business really spends; interest wipes out rewards."
            )
        case "payments-and-fees":
            let minimum = max(spend * 0.02, 35)
            return (
                [
                    "The minimum payment on \(Money.format(spend)) is about \(Money.format(minimum)) (2% or $35).",
                    "Missing the due date adds a late fee of up to $39 and may trigger a penalty APR.",
                    "Autopay for at least the minimum prevents late fees; paying the full balance prevents interest.",
                ], "Set up autopay and pay the statement balance in full to avoid both fees and interest."
            )
        case "credit-scores":
            let limit = profile.monthlySpend * 3
            let target = limit * 0.3
            return (
                [
                    "Reported balance \(Money.format(spend)) on a \(Money.format(limit)) limit is "
                        + "\(Money.percent(spend / limit)) utilization.",
                    "Paying down to \(Money.format(target)) before the statement date reports 30% or less.",
                    "On-time payments over months matter more than any single month's utilization.",
                ], "Pay on time every month and keep reported utilization low."
            )
        case "fraud-and-security":
            return (
                [
                    "A \(Money.format(spend * 0.1)) charge appears from a merchant claiming to be \(profile.supplier).",
                    "Lock or freeze the card in the issuer's app and check with the supplier through a known number.",
                    "Dispute the charge with the issuer promptly and issue employees their own cards with limits.",
                ], "Review transactions weekly, use employee cards with limits, and report unknown charges at once."
            )
        case "responsible-use":
            let revenue = spend * 4
            return (
                [
                    "With monthly revenue near \(Money.format(revenue)), card spend of \(Money.format(spend)) is "
                        + "\(Money.percent(spend / revenue)) of it.",
                    "Set a card budget you can repay each month from cash flow, not from next month's sales.",
                    "Keep business and personal spending on separate cards for clean books.",
                ], "Use the card as a payment tool, not a loan: spend only what cash flow repays this month."
            )
        default:
            return (
                ["Work through the scenario with \(Money.format(spend)) of monthly card spend."],
                "Apply the lesson's key points to your own business."
            )
        }
    }
}

/// Formats dollars and percentages for scenarios.
enum Money {
    static func format(_ amount: Double) -> String {
        let cents = Int((amount * 100).rounded())
        let dollars = cents / 100
        var grouped = String(dollars)
        var index = grouped.count - 3
        while index > 0 {
            grouped.insert(",", at: grouped.index(grouped.startIndex, offsetBy: index))
            index -= 3
        }
        let remainder = cents % 100
        return remainder == 0 ? "$\(grouped)" : "$\(grouped).\(remainder < 10 ? "0" : "")\(remainder)"
    }

    static func percent(_ fraction: Double, digits: Int = 2) -> String {
        var text = String(format: "%.\(digits)f", fraction * 100)
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "%"
    }
}
