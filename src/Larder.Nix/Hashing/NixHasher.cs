using System.Buffers;
using System.Security.Cryptography;

namespace Larder.Nix.Hashing;

/// <summary>Incremental hashing that also counts bytes: feed it chunks, then take the <see cref="NixHash"/>.</summary>
public sealed class NixHasher : IDisposable
{
    private readonly IncrementalHash _hash;

    /// <summary>Starts an empty hash of kind <paramref name="kind"/>.</summary>
    public NixHasher(HashKind kind = HashKind.Sha256)
    {
        Kind = kind;
        _hash = IncrementalHash.CreateHash(kind.ToAlgorithmName());
    }

    /// <summary>The algorithm.</summary>
    public HashKind Kind { get; }

    /// <summary>Bytes fed so far (since the last <see cref="GetHashAndReset"/>).</summary>
    public long Length { get; private set; }

    /// <summary>Adds bytes.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        _hash.AppendData(data);
        Length += data.Length;
    }

    /// <summary>The hash of everything fed so far; feeding may continue.</summary>
    public NixHash GetCurrentHash()
    {
        Span<byte> digest = stackalloc byte[64];
        int written = _hash.GetCurrentHash(digest);
        return new NixHash(Kind, digest[..written]);
    }

    /// <summary>The hash of everything fed so far; starts over afterwards.</summary>
    public NixHash GetHashAndReset()
    {
        Span<byte> digest = stackalloc byte[64];
        int written = _hash.GetHashAndReset(digest);
        Length = 0;
        return new NixHash(Kind, digest[..written]);
    }

    /// <summary>Reads <paramref name="input"/> to its end and returns its hash and length. Does not close the stream.</summary>
    public static async Task<(NixHash Hash, long Length)> HashStreamAsync(
        Stream input, HashKind kind = HashKind.Sha256, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var hasher = new NixHasher(kind);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hasher.Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        long length = hasher.Length;
        return (hasher.GetHashAndReset(), length);
    }

    public void Dispose() => _hash.Dispose();
}
