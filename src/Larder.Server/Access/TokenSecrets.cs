using System.Security.Cryptography;
using System.Text;

namespace Larder.Server.Access;

/// <summary>Makes token secrets and the SHA-256 digests that are all the server ever stores of them.</summary>
public static class TokenSecrets
{
    /// <summary>Every secret starts with this, so leaked tokens are easy to recognise and grep for.</summary>
    public const string Prefix = "larder_";

    /// <summary>A fresh secret: <c>larder_</c> followed by 32 random bytes in lower-case hex.</summary>
    public static string Generate() => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>Lower-case hex SHA-256 of the secret's UTF-8 bytes.</summary>
    public static string Hash(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        var byteCount = Encoding.UTF8.GetByteCount(secret);
        if (byteCount <= 256)
        {
            Span<byte> utf8 = stackalloc byte[byteCount];
            Encoding.UTF8.GetBytes(secret, utf8);
            SHA256.HashData(utf8, digest);
        }
        else
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(secret), digest);
        }
        return Convert.ToHexStringLower(digest);
    }
}
