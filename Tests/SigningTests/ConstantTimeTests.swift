import Signing
import Testing

@Suite struct ConstantTimeTests {
    @Test func equalsComparesBytes() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([UInt8](), []))
        #expect(ConstantTime.equals("v0=abc", "v0=abc"))
        #expect(!ConstantTime.equals("v0=abc", "v0=abd"))
        #expect(CredentialComparator.constantTime.name == "CRYPTO_memcmp")
        #expect(CredentialComparator.constantTime.equals(expected: [9, 9], presented: [9, 9]))
        #expect(!CredentialComparator.constantTime.equals(expected: [9, 9], presented: [9, 8]))
    }

    /// The median time of `compare` over alternating rounds, for inputs that differ at the first and at the last
    /// byte.
    static func medians(
        _ compare: ([UInt8], [UInt8]) -> Bool, _ expected: [UInt8], _ early: [UInt8], _ late: [UInt8]
    ) -> (early: Duration, late: Duration) {
        let clock = ContinuousClock()
        var earlyTimes: [Duration] = []
        var lateTimes: [Duration] = []
        var sink = false
        for round in 0..<41 {
            // Alternate which goes first so drift in machine load hits both alike.
            let order = round.isMultiple(of: 2) ? [early, late] : [late, early]
            for input in order {
                let time = clock.measure { sink = compare(expected, input) != sink }
                if input == early { earlyTimes.append(time) } else { lateTimes.append(time) }
            }
        }
        _ = sink
        return (earlyTimes.sorted()[earlyTimes.count / 2], lateTimes.sorted()[lateTimes.count / 2])
    }

    static func ratio(_ times: (early: Duration, late: Duration)) -> Double {
        let early = max(times.early / .nanoseconds(1), 1)
        let late = max(times.late / .nanoseconds(1), 1)
        return late / early
    }

    /// A sanity check, not the proof (the verifiers' tests prove that every decision goes through
    /// `CredentialComparator.constantTime`): over 1 MiB, where an early-exit comparison takes about a million times
    /// longer when the difference is at the end than at the start, `ConstantTime.equals` takes the same time either
    /// way. The bound is loose (2x) so a busy machine does not fail it, and the same measurement of an early-exit
    /// comparison must see the difference, so the check cannot pass by measuring nothing.
    @Test func timeDoesNotDependOnWhereTheBytesDiffer() {
        let size = 1 << 20
        let expected = [UInt8](repeating: 0x5a, count: size)
        var early = expected
        early[0] = 0
        var late = expected
        late[size - 1] = 0
        let constant = Self.ratio(Self.medians({ ConstantTime.equals($0, $1) }, expected, early, late))
        let naive = Self.ratio(Self.medians({ $0 == $1 }, expected, early, late))
        #expect(naive > 10, "the measurement cannot see an early exit (ratio \(naive))")
        #expect(constant > 0.5 && constant < 2, "CRYPTO_memcmp's time depends on the input (ratio \(constant))")
    }
}
