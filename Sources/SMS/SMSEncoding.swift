/// The two alphabets an SMS can be sent in; the raw value is the name the outbox records (`gsm7`, `ucs2`).
package enum SMSEncoding: String, Sendable, Hashable {
    /// The GSM 03.38 default alphabet: 7-bit septets, 160 per single message, 153 per part of a long one.
    /// Characters of its extension table (`{ } [ ] ~ \ | ^ €` and form feed) take two septets.
    case gsm7
    /// UCS-2 (UTF-16 code units on the wire): 70 per single message, 67 per part.
    case ucs2

    /// GSM-7 when every character of `text` is in the default alphabet or its extension table, otherwise UCS-2.
    package static func detect(_ text: String) -> SMSEncoding {
        text.unicodeScalars.allSatisfy { septets(for: $0) != nil } ? .gsm7 : .ucs2
    }

    /// Septets `scalar` takes in GSM-7: 1 for the default alphabet, 2 for the extension table, nil when absent.
    package static func septets(for scalar: Unicode.Scalar) -> Int? {
        if basic.contains(scalar) { return 1 }
        if extended.contains(scalar) { return 2 }
        return nil
    }

    /// GSM 03.38 default alphabet (the escape code 0x1B is not a character).
    private static let basic: Set<Unicode.Scalar> = Set(
        ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
            + "abcdefghijklmnopqrstuvwxyzäöñüà").unicodeScalars
    )

    /// GSM 03.38 extension table, each sent as escape + character.
    private static let extended: Set<Unicode.Scalar> = Set("\u{0C}^{}\\[~]|€".unicodeScalars)

    /// Code units (septets or UTF-16 units) a single-part message may hold.
    package var singleMessageCapacity: Int {
        switch self {
        case .gsm7: 160
        case .ucs2: 70
        }
    }

    /// Code units each part of a multi-part message may hold (the rest carries the concatenation header).
    package var multipartCapacity: Int {
        switch self {
        case .gsm7: 153
        case .ucs2: 67
        }
    }
}
