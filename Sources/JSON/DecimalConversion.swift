/// Exact decimal-to-binary conversion: every result is the Double nearest to
/// the decimal value (ties to even), as `strtod` gives.
///
/// Three paths, cheapest first:
/// 1. mantissa ≤ 2^53 and |exponent| ≤ 22: one multiply or divide by an exactly
///    representable power of ten (a single rounding, so exact);
/// 2. mantissa < 2^64 and |exponent| ≤ 19: integer arithmetic on UInt128 with an
///    explicit round-half-even;
/// 3. anything else: `Double(String)` on the text (the caller supplies it).
public enum DecimalConversion {
    /// 10^0 … 10^22, each exactly representable as a Double.
    public static let exactPowers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// 10^0 … 10^19 (10^19 < 2^64).
    public static let integerPowers: [UInt64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
        1_000_000_000, 10_000_000_000, 100_000_000_000, 1_000_000_000_000,
        10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
        10_000_000_000_000_000_000,
    ]

    /// `mantissa · 10^exponent` rounded to nearest, or nil when neither exact
    /// path applies and the caller must fall back to a full conversion.
    @inlinable @inline(__always)
    public static func convert(mantissa: UInt64, exponent: Int) -> Double? {
        if mantissa == 0 { return 0 }
        if mantissa <= 1 << 53 {
            if exponent >= 0 && exponent <= 22 {
                return Double(mantissa) * exactPowers[exponent]
            }
            if exponent < 0 && exponent >= -22 {
                return Double(mantissa) / exactPowers[-exponent]
            }
        }
        return convertWide(mantissa: mantissa, exponent: exponent)
    }

    /// The UInt128 path: exponent in -19...19.
    @inlinable public static func convertWide(mantissa: UInt64, exponent: Int) -> Double? {
        if exponent >= 0 && exponent <= 19 {
            // m < 2^64 and 10^e < 2^64, so the product fits in 128 bits.
            let n = UInt128(mantissa) * UInt128(integerPowers[exponent])
            return roundToDouble(n, sticky: false, binaryExponent: 0)
        }
        if exponent < 0 && exponent >= -19 {
            return quotient(UInt128(mantissa), dividedBy: UInt128(integerPowers[-exponent]))
        }
        return nil
    }

    /// `numerator / denominator` rounded to nearest, ties to even; nil when the
    /// denominator is 0 or the scaled numerator would not fit in 128 bits
    /// (never for a numerator below 2^72 and a denominator below 2^64).
    @inlinable public static func quotient(_ numerator: UInt128, dividedBy denominator: UInt128) -> Double? {
        guard numerator > 0, denominator > 0 else { return numerator == 0 && denominator > 0 ? 0 : nil }
        let numeratorBits = UInt128.bitWidth - numerator.leadingZeroBitCount
        let denominatorBits = UInt128.bitWidth - denominator.leadingZeroBitCount
        // Scale so that the integer quotient has at least 55 significant bits
        // (53 kept, one rounding bit, and at least one more for the half test).
        let shift = max(0, 55 + denominatorBits - numeratorBits)
        guard numeratorBits + shift <= 127 else { return nil }
        let scaled = numerator << shift
        let (q, r) = scaled.quotientAndRemainder(dividingBy: denominator)
        return roundToDouble(q, sticky: r != 0, binaryExponent: -shift)
    }

    /// `(value + ε) · 2^binaryExponent` rounded to 53 bits, ties to even, where
    /// `sticky` says whether a nonzero ε < 1 was cut off below `value`.
    @inlinable public static func roundToDouble(_ value: UInt128, sticky: Bool, binaryExponent: Int) -> Double? {
        let bits = UInt128.bitWidth - value.leadingZeroBitCount
        if bits == 0 { return 0 }
        var mantissa: UInt128
        var exponent = binaryExponent
        if bits <= 53 {
            // Only reachable without a cut-off remainder in our callers
            // (the quotient path always produces ≥ 55 bits).
            guard !sticky else { return nil }
            mantissa = value
        } else {
            let drop = bits - 53
            mantissa = value >> drop
            let rest = value & ((UInt128(1) << drop) - 1)
            let half = UInt128(1) << (drop - 1)
            if rest > half || (rest == half && (sticky || mantissa & 1 == 1)) {
                mantissa += 1 // may become 2^53, still exact
            }
            exponent += drop
        }
        let significand = Double(UInt64(truncatingIfNeeded: mantissa))
        // Results stay far inside the normal range here (|exponent| < 200).
        return Double(sign: .plus, exponent: exponent, significand: 1) * significand
    }

    /// The general fallback: the standard library's correctly rounded parser.
    /// `text` must already be a valid JSON number.
    @inlinable public static func fallback(_ text: UnsafeBufferPointer<UInt8>) -> Double {
        let string = String(decoding: text, as: UTF8.self)
        return Double(string) ?? .nan
    }
}
