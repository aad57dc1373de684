#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a pthread mutex.
///
/// Used instead of `Synchronization.Mutex`, whose Linux implementation locks with raw futex calls
/// that ThreadSanitizer cannot see (it then reports races on correctly locked data); ThreadSanitizer
/// understands pthread mutexes, so data races stay detectable. Avoid a zero-sized `Value` such as
/// `Void`: ThreadSanitizer then reports its accesses as races on the object's header.
//
// `@unchecked Sendable` is sound here: `value` is private and only touched inside `withLock`,
// which holds `mutex` for the whole access, and `Value` is itself `Sendable`, so whatever leaves
// the lock may cross threads. The mutex lives at a fixed heap address for the object's lifetime.
package final class Locked<Value: Sendable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    package init(_ value: Value) {
        self.value = value
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
