#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Nanoseconds on a monotonic clock, for heartbeat bookkeeping.
package enum MonotonicTime {
    package static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// Nanoseconds from `earlier` to `now`; 0 when `earlier` is later (another thread may have
    /// stored a newer timestamp after `now` was taken).
    package static func elapsed(since earlier: UInt64, now: UInt64) -> UInt64 {
        now > earlier ? now - earlier : 0
    }
}

extension Duration {
    /// The duration in whole nanoseconds, clamped at zero.
    package var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
    }
}
