/// Counts the segments (billable parts) an SMS body is sent as.
package enum SMSSegmenter {
    /// How a body is sent.
    package struct Count: Sendable, Hashable {
        /// The alphabet the body needs.
        package var encoding: SMSEncoding
        /// Septets (GSM-7) or UTF-16 code units (UCS-2) in the body.
        package var units: Int
        /// Parts the body is sent as; 0 for an empty body.
        package var segments: Int
    }

    /// The encoding, size and segment count of `text`.
    ///
    /// A multi-part message never splits a GSM-7 escape sequence or a UTF-16 surrogate pair across two parts,
    /// as handsets and Twilio do not, so such a character at a part's edge moves whole to the next part.
    package static func count(_ text: String) -> Count {
        let encoding = SMSEncoding.detect(text)
        let sizes: [Int] =
            switch encoding {
            case .gsm7: text.unicodeScalars.map { SMSEncoding.septets(for: $0) ?? 1 }
            case .ucs2: text.unicodeScalars.map { $0.utf16.count }
            }
        let units = sizes.reduce(0, +)
        guard units > encoding.singleMessageCapacity else {
            return Count(encoding: encoding, units: units, segments: units == 0 ? 0 : 1)
        }
        var segments = 1
        var used = 0
        for size in sizes {
            if used + size > encoding.multipartCapacity {
                segments += 1
                used = 0
            }
            used += size
        }
        return Count(encoding: encoding, units: units, segments: segments)
    }
}
