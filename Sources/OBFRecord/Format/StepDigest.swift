import OBFEngine

/// A 64-bit FNV-1a digest of what a step answered: its bar, every computed asset's nine
/// features (bit patterns), every skipped asset's outcome, the empty streak and the macro
/// features. Two answers with the same digest are, short of a 1 in 2^64 accident, the same
/// answer; it detects a difference, it is not a signature.
public enum StepDigest {
    public static func of(_ report: StepReport) -> UInt64 {
        var hash = Hasher64()
        hash.add(UInt64(bitPattern: report.bar))
        hash.add(UInt64(report.emptyStreak))
        hash.add(UInt64(report.computed.count))
        for (asset, features) in report.computed {
            hash.add(asset)
            for value in features.columns {
                hash.add(value.bitPattern)
            }
        }
        hash.add(UInt64(report.skipped.count))
        for (asset, outcome) in report.skipped {
            hash.add(asset)
            hash.add(outcome.rawValue)
        }
        if let macro = report.macro {
            hash.add(1)
            for value in [macro.medianImbalance, macro.agreementPct, macro.depthPressure, macro.depthVelocity,
                          macro.acceleration] {
                hash.add(value.bitPattern)
            }
            hash.add(UInt64(macro.withdrawingAssets))
            hash.add(macro.cascadeRegime.rawValue)
        } else {
            hash.add(0)
        }
        return hash.value
    }

    private struct Hasher64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325

        mutating func add(_ word: UInt64) {
            var rest = word
            for _ in 0..<8 {
                value = (value ^ (rest & 0xff)) &* 0x100_0000_01b3
                rest >>= 8
            }
        }

        mutating func add(_ text: String) {
            for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
            value = value &* 0x100_0000_01b3   // the terminator: "AB","C" differs from "A","BC"
        }
    }
}
