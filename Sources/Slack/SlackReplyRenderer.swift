import Foundation
import Learning

/// Turns the agent's channel-neutral reply into Slack messages: Block Kit within Slack's limits (at most 50
/// blocks, 3,000 characters a section, 150 a header, 75 a button), a plain `text` fallback, and every piece of
/// learner or lesson text escaped for mrkdwn so it cannot ping `<!channel>` or forge a link.
package enum SlackReplyRenderer {
    /// Action ids the interaction handler understands.
    package enum ActionID {
        /// Quiz buttons are `quiz_answer_0` … `quiz_answer_3`; their value is `<attempt id>:<index>`.
        package static let answerPrefix = "quiz_answer_"
        package static let nextLesson = "next_lesson"
        package static let snooze = "snooze"
    }

    static let letters = ["A", "B", "C", "D"]

    /// The message for a reply: the text, then the lesson (with its quiz buttons) or the verdict.
    package static func message(for reply: AgentReply) -> SlackMessage {
        var blocks: [JSONValue] = []
        if let verdict = reply.verdict {
            blocks += verdictBlocks(verdict)
        }
        if !reply.text.isEmpty, reply.lesson == nil || reply.verdict == nil {
            blocks.append(section(escape(reply.text)))
        }
        if let lesson = reply.lesson {
            blocks += lessonBlocks(lesson, answerable: true)
        }
        if !reply.quickReplies.isEmpty, reply.lesson == nil {
            blocks.append(
                context(reply.quickReplies.map { "`\(escape($0))`" }.joined(separator: "  ")))
        }
        return SlackMessage(text: fallbackText(reply), blocks: Array(blocks.prefix(50)))
    }

    /// The lesson message after it was answered: the same lesson without buttons, and the verdict under it
    /// (sent with `chat.update` so the quiz cannot be answered twice from the same message).
    package static func answeredLesson(_ lesson: LessonCard, verdict: QuizVerdict) -> SlackMessage {
        let blocks = lessonBlocks(lesson, answerable: false) + verdictBlocks(verdict)
        let mark = verdict.correct ? "Correct" : "Not quite"
        return SlackMessage(
            text: limit(escape("\(lesson.title): \(mark). \(verdict.explanation)"), 3000),
            blocks: Array(blocks.prefix(50)))
    }

    /// Escapes text for mrkdwn: `&`, `<` and `>` become entities, so `<!channel>` or `<http://x|y>` stay text.
    ///
    /// Works on Unicode scalars, not Characters: `<` followed by a combining mark (`<\u{338}`) is one Character
    /// that is not equal to `<`, yet Slack still reads its `<`.
    package static func escape(_ text: String) -> String {
        // The three characters are ASCII, so they are never part of a longer UTF-8 sequence: work on the bytes,
        // and most texts, which have none of them, come back as they are.
        let special: (UInt8) -> Bool = { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }
        guard text.utf8.contains(where: special) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Blocks

    static func lessonBlocks(_ lesson: LessonCard, answerable: Bool) -> [JSONValue] {
        var blocks: [JSONValue] = [
            [
                "type": "header",
                "text": ["type": "plain_text", "text": .string(limitPlain(lesson.title, 150)), "emoji": true],
            ],
            context(
                "\(escape(lesson.topicTitle)) · \(lesson.difficulty.rawValue)"
                    + (lesson.isReview ? " · review" : "")),
            section(escape(lesson.content)),
        ]
        if !lesson.keyPoints.isEmpty {
            blocks.append(
                section("*Key points*\n" + lesson.keyPoints.map { "• " + escape($0) }.joined(separator: "\n")))
        }
        blocks.append(section("*Scenario*\n" + escape(lesson.scenario)))
        let options = lesson.options.enumerated().map { index, option in
            "*\(letters[min(index, 3)]).* \(escape(option))"
        }
        blocks.append(section("*Quiz:* \(escape(lesson.question))\n" + options.joined(separator: "\n")))
        if answerable {
            let buttons: [JSONValue] = lesson.options.indices.prefix(4).map { index in
                [
                    "type": "button",
                    "action_id": .string(ActionID.answerPrefix + String(index)),
                    "text": ["type": "plain_text", "text": .string(letters[index])],
                    "value": .string("\(lesson.attemptID.uuidString):\(index)"),
                ]
            }
            blocks.append([
                "type": "actions", "block_id": .string("quiz:\(lesson.attemptID.uuidString)"),
                "elements": .array(buttons),
            ])
        }
        return blocks
    }

    static func verdictBlocks(_ verdict: QuizVerdict) -> [JSONValue] {
        let headline = verdict.correct ? ":white_check_mark: *Correct!*" : ":x: *Not quite.*"
        let answer =
            "The answer is *\(letters[min(max(verdict.correctIndex, 0), 3)]). \(escape(verdict.correctOption))*"
        return [
            section("\(headline) \(escape(verdict.feedback))\n\(answer)\n\(escape(verdict.explanation))"),
            [
                "type": "actions", "block_id": "after_quiz",
                "elements": [
                    [
                        "type": "button", "action_id": .string(ActionID.nextLesson), "style": "primary",
                        "text": ["type": "plain_text", "text": "Next lesson"], "value": "next",
                    ],
                    [
                        "type": "button", "action_id": .string(ActionID.snooze),
                        "text": ["type": "plain_text", "text": "Snooze until tomorrow"], "value": "snooze",
                    ],
                ],
            ],
        ]
    }

    static func section(_ mrkdwn: String) -> JSONValue {
        ["type": "section", "text": ["type": "mrkdwn", "text": .string(limit(mrkdwn, 3000))]]
    }

    static func context(_ mrkdwn: String) -> JSONValue {
        ["type": "context", "elements": [["type": "mrkdwn", "text": .string(limit(mrkdwn, 3000))]]]
    }

    /// Cuts plain text to `count` characters, ending with an ellipsis when cut.
    static func limitPlain(_ text: String, _ count: Int) -> String {
        text.count <= count ? text : String(text.prefix(count - 1)) + "…"
    }

    /// Cuts escaped mrkdwn to `count` characters, ending with an ellipsis when cut, and never inside an entity:
    /// `&am…` would show as text, and a bare `&` is not valid mrkdwn.
    static func limit(_ mrkdwn: String, _ count: Int) -> String {
        guard mrkdwn.count > count else { return mrkdwn }
        var kept = mrkdwn.prefix(count - 1)
        // Escaped text has `&` only at the start of an entity, and every entity ends with `;`.
        if let ampersand = kept.unicodeScalars.lastIndex(of: "&"), !kept.unicodeScalars[ampersand...].contains(";") {
            kept = kept[..<ampersand]
        }
        return String(kept) + "…"
    }

    /// The message's top-level `text`: Slack reads it as mrkdwn too and notifies from it (mobile notifications use
    /// nothing else), so it is escaped like the blocks.
    static func fallbackText(_ reply: AgentReply) -> String {
        if let lesson = reply.lesson {
            return limit(escape("\(lesson.title): \(lesson.question)"), 3000)
        }
        if let verdict = reply.verdict {
            return limit(escape((verdict.correct ? "Correct. " : "Not quite. ") + verdict.explanation), 3000)
        }
        return limit(escape(reply.text), 3000)
    }
}
