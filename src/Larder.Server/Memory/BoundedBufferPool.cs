using System.Buffers;
using System.Numerics;

namespace Larder.Server.Memory;

/// <summary>
/// A pool of byte arrays (power-of-two lengths up to <c>maxArrayLength</c>) that keeps at most
/// <c>maxRetainedBytes</c> in all. <see cref="ArrayPool{T}.Create(int, int)"/> bounds only the arrays per size, so what
/// it keeps grows with every size in use: after pushes it held four 16 MiB pack buffers and a dozen chunk buffers,
/// ~100 MiB of an idle server (issue 9). An array returned while the pool is full is left to the garbage collector.
/// The pool counts the arrays out on loan and raises <see cref="Drained"/> when the last comes back: the moment the
/// memory of a burst can be given back (<see cref="IdleMemoryRelease"/>).
/// </summary>
internal sealed class BoundedBufferPool : ArrayPool<byte>
{
    private const int MinArrayLength = 16;

    private readonly int _maxArrayLength;
    private readonly long _maxRetainedBytes;
    private readonly Stack<byte[]>[] _buckets;
    private readonly Lock _lock = new();
    private long _retainedBytes;
    private long _rentCount;
    private long _droppedBytes;
    private long _onLoan;

    /// <param name="maxArrayLength">Longest array pooled (a power of two); longer requests are allocated each time.</param>
    /// <param name="maxRetainedBytes">Most bytes kept in the pool at once.</param>
    public BoundedBufferPool(int maxArrayLength, long maxRetainedBytes)
    {
        if (maxArrayLength < MinArrayLength || !BitOperations.IsPow2(maxArrayLength))
        {
            throw new ArgumentOutOfRangeException(nameof(maxArrayLength), maxArrayLength, "must be a power of two of at least 16");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetainedBytes);
        _maxArrayLength = maxArrayLength;
        _maxRetainedBytes = maxRetainedBytes;
        _buckets = new Stack<byte[]>[BucketIndex(maxArrayLength) + 1];
        for (var i = 0; i < _buckets.Length; i++)
        {
            _buckets[i] = new Stack<byte[]>();
        }
    }

    /// <summary>Bytes the pool holds now.</summary>
    public long RetainedBytes
    {
        get
        {
            lock (_lock)
            {
                return _retainedBytes;
            }
        }
    }

    /// <summary>Rents so far.</summary>
    public long RentCount => Interlocked.Read(ref _rentCount);

    /// <summary>
    /// Bytes of the arrays returned so far that the pool let go of (it was full, or they were longer than it keeps): the
    /// garbage it left to the collector.
    /// </summary>
    public long DroppedBytes => Interlocked.Read(ref _droppedBytes);

    /// <summary>Arrays rented and not returned yet.</summary>
    public long OnLoan => Interlocked.Read(ref _onLoan);

    /// <summary>
    /// Raised by the <see cref="Return"/> that brings <see cref="OnLoan"/> back to zero, on the returning thread: keep
    /// handlers short (queue real work).
    /// </summary>
    public event Action? Drained;

    public override byte[] Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        if (minimumLength == 0)
        {
            return [];
        }
        Interlocked.Increment(ref _rentCount);
        Interlocked.Increment(ref _onLoan);
        if (minimumLength > _maxArrayLength)
        {
            return GC.AllocateUninitializedArray<byte>(minimumLength);
        }
        int index = BucketIndex(minimumLength);
        lock (_lock)
        {
            if (_buckets[index].TryPop(out var pooled))
            {
                _retainedBytes -= pooled.Length;
                return pooled;
            }
        }
        return GC.AllocateUninitializedArray<byte>(MinArrayLength << index);
    }

    /// <summary>Lets go of every array the pool keeps.</summary>
    public void Trim()
    {
        lock (_lock)
        {
            foreach (var bucket in _buckets)
            {
                bucket.Clear();
            }
            _retainedBytes = 0;
        }
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length == 0)
        {
            return;
        }
        if (array.Length > _maxArrayLength || !Keep(array, clearArray))
        {
            Interlocked.Add(ref _droppedBytes, array.Length);
        }
        if (Interlocked.Decrement(ref _onLoan) == 0)
        {
            Drained?.Invoke();
        }
    }

    /// <summary>Keeps <paramref name="array"/> if there is room; whether it did.</summary>
    private bool Keep(byte[] array, bool clearArray)
    {
        if (array.Length < MinArrayLength || !BitOperations.IsPow2(array.Length))
        {
            throw new ArgumentException($"an array of {array.Length} bytes was not rented from this pool", nameof(array));
        }
        if (clearArray)
        {
            Array.Clear(array);
        }
        lock (_lock)
        {
            if (_retainedBytes + array.Length > _maxRetainedBytes)
            {
                return false;
            }
            _buckets[BucketIndex(array.Length)].Push(array);
            _retainedBytes += array.Length;
            return true;
        }
    }

    /// <summary>The bucket of arrays of the smallest power of two of at least <paramref name="length"/> bytes.</summary>
    private static int BucketIndex(int length) =>
        BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)Math.Max(length, MinArrayLength))) - BitOperations.Log2(MinArrayLength);
}
