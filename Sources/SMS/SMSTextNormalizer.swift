/// Rewrites typographic punctuation into GSM-7 equivalents so a message is not sent as UCS-2 (70 characters a
/// segment instead of 160) just because of a curly quote.
package enum SMSTextNormalizer {
    private static let replacements: [Character: String] = [
        "\u{2018}": "'", "\u{2019}": "'", "\u{201A}": "'", "\u{201B}": "'", "\u{2032}": "'",
        "\u{201C}": "\"", "\u{201D}": "\"", "\u{201E}": "\"", "\u{201F}": "\"", "\u{2033}": "\"",
        "\u{00AB}": "\"", "\u{00BB}": "\"",
        "\u{2010}": "-", "\u{2011}": "-", "\u{2012}": "-", "\u{2013}": "-", "\u{2014}": "-", "\u{2015}": "-",
        "\u{2212}": "-",
        "\u{2026}": "...",
        "\u{2022}": "-", "\u{00B7}": "-",
        "\u{00A0}": " ", "\u{2002}": " ", "\u{2003}": " ", "\u{2009}": " ", "\u{202F}": " ",
        "\u{200B}": "", "\u{FEFF}": "",
    ]

    /// `text` with curly quotes, dashes, ellipses, bullets and special spaces replaced by ASCII. Other characters
    /// are kept: a message that needs them (an accent GSM-7 lacks, an emoji) is still sent, as UCS-2.
    package static func preferringGSM7(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            if let replacement = replacements[character] {
                output += replacement
            } else {
                output.append(character)
            }
        }
        return output
    }
}
