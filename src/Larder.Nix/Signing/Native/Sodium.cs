using System.Runtime.InteropServices;

namespace Larder.Nix.Signing.Native;

/// <summary>
/// The few libsodium calls Nix's own signing uses (Ed25519 <c>crypto_sign_*</c>), over <c>libsodium.so.23</c>.
/// .NET has no Ed25519; libsodium is the library Nix links, so signatures match Nix's bit for bit.
/// </summary>
internal static partial class Sodium
{
    private const string Library = "libsodium.so.23";

    /// <summary>crypto_sign_SEEDBYTES.</summary>
    public const int SeedBytes = 32;

    /// <summary>crypto_sign_PUBLICKEYBYTES.</summary>
    public const int PublicKeyBytes = 32;

    /// <summary>crypto_sign_SECRETKEYBYTES: seed followed by the public key.</summary>
    public const int SecretKeyBytes = 64;

    /// <summary>crypto_sign_BYTES.</summary>
    public const int SignatureBytes = 64;

    private static readonly Lazy<bool> Initialized = new(() =>
    {
        try
        {
            // 0: initialised now, 1: already initialised, -1: failure.
            return sodium_init() >= 0
                ? true
                : throw new InvalidOperationException("libsodium failed to initialise (sodium_init returned -1)");
        }
        catch (DllNotFoundException e)
        {
            throw new InvalidOperationException(
                $"{Library} is missing: install libsodium (Debian: apt-get install libsodium23)", e);
        }
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads and initialises libsodium once; throws a clear error if it is not installed.</summary>
    public static void EnsureInitialized() => _ = Initialized.Value;

    /// <summary>A fresh random key pair.</summary>
    public static void KeyPair(Span<byte> publicKey, Span<byte> secretKey)
    {
        CheckLength(publicKey, PublicKeyBytes, nameof(publicKey));
        CheckLength(secretKey, SecretKeyBytes, nameof(secretKey));
        EnsureInitialized();
        Check(crypto_sign_keypair(ref MemoryMarshal.GetReference(publicKey), ref MemoryMarshal.GetReference(secretKey)), "crypto_sign_keypair");
    }

    /// <summary>The key pair determined by a 32-byte seed.</summary>
    public static void SeedKeyPair(ReadOnlySpan<byte> seed, Span<byte> publicKey, Span<byte> secretKey)
    {
        CheckLength(seed, SeedBytes, nameof(seed));
        CheckLength(publicKey, PublicKeyBytes, nameof(publicKey));
        CheckLength(secretKey, SecretKeyBytes, nameof(secretKey));
        EnsureInitialized();
        Check(crypto_sign_seed_keypair(
            ref MemoryMarshal.GetReference(publicKey), ref MemoryMarshal.GetReference(secretKey), in MemoryMarshal.GetReference(seed)),
            "crypto_sign_seed_keypair");
    }

    /// <summary>Ed25519 detached signature of <paramref name="message"/>.</summary>
    public static void SignDetached(ReadOnlySpan<byte> message, ReadOnlySpan<byte> secretKey, Span<byte> signature)
    {
        CheckLength(secretKey, SecretKeyBytes, nameof(secretKey));
        CheckLength(signature, SignatureBytes, nameof(signature));
        EnsureInitialized();
        Check(crypto_sign_detached(
            ref MemoryMarshal.GetReference(signature), IntPtr.Zero,
            in MemoryMarshal.GetReference(message), (ulong)message.Length,
            in MemoryMarshal.GetReference(secretKey)), "crypto_sign_detached");
    }

    /// <summary>Whether <paramref name="signature"/> is a valid Ed25519 signature of <paramref name="message"/>.</summary>
    public static bool VerifyDetached(ReadOnlySpan<byte> signature, ReadOnlySpan<byte> message, ReadOnlySpan<byte> publicKey)
    {
        if (signature.Length != SignatureBytes || publicKey.Length != PublicKeyBytes)
        {
            return false;
        }
        EnsureInitialized();
        return crypto_sign_verify_detached(
            in MemoryMarshal.GetReference(signature),
            in MemoryMarshal.GetReference(message), (ulong)message.Length,
            in MemoryMarshal.GetReference(publicKey)) == 0;
    }

    private static void CheckLength(ReadOnlySpan<byte> buffer, int expected, string name)
    {
        if (buffer.Length != expected)
        {
            throw new ArgumentException($"{name} must be {expected} bytes, not {buffer.Length}", name);
        }
    }

    private static void Check(int result, string function)
    {
        if (result != 0)
        {
            throw new InvalidOperationException($"libsodium {function} failed ({result})");
        }
    }

    [LibraryImport(Library)]
    private static partial int sodium_init();

    [LibraryImport(Library)]
    private static partial int crypto_sign_keypair(ref byte publicKey, ref byte secretKey);

    [LibraryImport(Library)]
    private static partial int crypto_sign_seed_keypair(ref byte publicKey, ref byte secretKey, in byte seed);

    [LibraryImport(Library)]
    private static partial int crypto_sign_detached(ref byte signature, IntPtr signatureLength, in byte message, ulong messageLength, in byte secretKey);

    [LibraryImport(Library)]
    private static partial int crypto_sign_verify_detached(in byte signature, in byte message, ulong messageLength, in byte publicKey);
}
