namespace Larder.Nix.Encoding;

/// <summary>
/// Nix's base32: the alphabet <c>0123456789abcdfghijklmnpqrsvwxyz</c> (no e, o, u, t), least significant
/// bits first, printed from the last 5-bit group to the first. A 20-byte store path hash becomes 32 characters,
/// a SHA-256 hash 52. This is not RFC 4648 base32.
/// </summary>
public static class NixBase32
{
    /// <summary>The 32 characters of Nix's base32, in digit order.</summary>
    public const string Alphabet = "0123456789abcdfghijklmnpqrsvwxyz";

    // Digit value of each ASCII character, or -1.
    private static readonly sbyte[] DigitOf = BuildDigitTable();

    /// <summary>Number of characters that encode <paramref name="bytes"/> bytes.</summary>
    public static int EncodedLength(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return bytes == 0 ? 0 : ((bytes * 8) - 1) / 5 + 1;
    }

    /// <summary>Number of bytes that <paramref name="chars"/> characters decode to, or -1 if no byte count encodes to that length.</summary>
    public static int DecodedLength(int chars)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chars);
        int bytes = chars * 5 / 8;
        return EncodedLength(bytes) == chars ? bytes : -1;
    }

    /// <summary>Whether <paramref name="c"/> is one of the 32 characters of Nix's alphabet.</summary>
    public static bool IsValidChar(char c) => c < 128 && DigitOf[c] >= 0;

    /// <summary>Encodes bytes the way Nix's <c>printHash32</c> does.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        int length = EncodedLength(bytes.Length);
        if (length == 0)
        {
            return "";
        }

        if (length <= 256)
        {
            Span<char> chars = stackalloc char[length];
            EncodeInto(bytes, chars);
            return new string(chars);
        }
        var buffer = new char[length];
        EncodeInto(bytes, buffer);
        return new string(buffer);
    }

    /// <summary>Encodes into <paramref name="destination"/>, which must hold exactly <see cref="EncodedLength"/> characters.</summary>
    public static void EncodeInto(ReadOnlySpan<byte> bytes, Span<char> destination)
    {
        int length = EncodedLength(bytes.Length);
        if (destination.Length != length)
        {
            throw new ArgumentException($"destination must hold exactly {length} characters", nameof(destination));
        }

        for (int n = length - 1; n >= 0; n--)
        {
            int bit = n * 5;
            int i = bit / 8;
            int j = bit % 8;
            int c = bytes[i] >> j;
            if (i < bytes.Length - 1)
            {
                c |= bytes[i + 1] << (8 - j);
            }
            destination[length - 1 - n] = Alphabet[c & 0x1f];
        }
    }

    /// <summary>Decodes Nix base32 text; throws <see cref="FormatException"/> naming the problem.</summary>
    public static byte[] Decode(ReadOnlySpan<char> text)
    {
        int length = DecodedLength(text.Length);
        if (length < 0)
        {
            throw new FormatException($"invalid Nix base32 length {text.Length}: no byte string encodes to that many characters");
        }
        var bytes = new byte[length];
        switch (TryDecodeCore(text, bytes, out int badIndex))
        {
            case DecodeError.None:
                return bytes;
            case DecodeError.BadChar:
                throw new FormatException($"invalid character '{text[badIndex]}' at position {badIndex} in Nix base32 string (allowed: {Alphabet})");
            default:
                throw new FormatException("invalid Nix base32 string: its first character carries bits beyond the encoded length");
        }
    }

    /// <summary>
    /// Decodes into <paramref name="destination"/>, whose length must match the text
    /// (<c>EncodedLength(destination.Length) == text.Length</c>). Returns false on any bad input.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination) =>
        EncodedLength(destination.Length) == text.Length && TryDecodeCore(text, destination, out _) == DecodeError.None;

    private enum DecodeError { None, BadChar, Overflow }

    private static DecodeError TryDecodeCore(ReadOnlySpan<char> text, Span<byte> destination, out int badIndex)
    {
        destination.Clear();
        badIndex = -1;
        for (int n = 0; n < text.Length; n++)
        {
            int index = text.Length - n - 1;
            char ch = text[index];
            int digit = ch < 128 ? DigitOf[ch] : -1;
            if (digit < 0)
            {
                badIndex = index;
                return DecodeError.BadChar;
            }
            int bit = n * 5;
            int i = bit / 8;
            int j = bit % 8;
            destination[i] |= (byte)(digit << j);
            int carry = digit >> (8 - j);
            if (i < destination.Length - 1)
            {
                destination[i + 1] |= (byte)carry;
            }
            else if (carry != 0)
            {
                badIndex = index;
                return DecodeError.Overflow;
            }
        }
        return DecodeError.None;
    }

    private static sbyte[] BuildDigitTable()
    {
        var table = new sbyte[128];
        Array.Fill(table, (sbyte)-1);
        for (int d = 0; d < Alphabet.Length; d++)
        {
            table[Alphabet[d]] = (sbyte)d;
        }
        return table;
    }
}
