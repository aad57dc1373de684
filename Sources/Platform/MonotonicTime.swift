#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Nanoseconds on the monotonic clock: what timeouts, heartbeats and idle limits are measured on.
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
