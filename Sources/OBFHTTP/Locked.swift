#if canImport(Glibc)
import Glibc
#endif

/// A value guarded by a pthread mutex.
///
/// Used rather than `Synchronization.Mutex`, whose futex-based locking on Linux the thread
/// sanitizer cannot see: it reports every access guarded by one as a data race.
final class Locked<Value: Sendable>: @unchecked Sendable {
    // Sendable: `value` is only touched inside `withLock`, between the lock and unlock of `mutex`,
    // and `mutex` itself is set up in `init` and torn down in `deinit`, when no other reference exists.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: Value) {
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

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
