using Larder.Nix.Hashing;
using Larder.Nix.Store;

namespace Larder.Nix.NarInfo;

public sealed partial record NarInfo
{
    /// <summary>
    /// Parses narinfo text. Every line must be <c>Key: value</c>; unknown keys are ignored; <c>Sig</c> may repeat,
    /// other known keys may not. Throws <see cref="NarInfoFormatException"/> naming the line and field.
    /// </summary>
    /// <param name="text">The narinfo.</param>
    /// <param name="storeDir">When given, <c>StorePath</c> must lie in this store directory.</param>
    public static NarInfo Parse(string text, string? storeDir = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fields = new Parser(storeDir);
        int lineNumber = 0;
        int position = 0;
        while (position < text.Length)
        {
            lineNumber++;
            int end = text.IndexOf('\n', position);
            ReadOnlySpan<char> line = end < 0 ? text.AsSpan(position) : text.AsSpan(position, end - position);
            position = end < 0 ? text.Length : end + 1;
            fields.Add(lineNumber, line);
        }
        return fields.Build();
    }

    /// <summary>Like <see cref="Parse"/>, but returns false (and the exception describing why) instead of throwing.</summary>
    public static bool TryParse(string text, out NarInfo? narInfo, out NarInfoFormatException? error, string? storeDir = null)
    {
        try
        {
            narInfo = Parse(text, storeDir);
            error = null;
            return true;
        }
        catch (NarInfoFormatException e)
        {
            narInfo = null;
            error = e;
            return false;
        }
    }

    private sealed class Parser(string? storeDir)
    {
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private readonly List<string> _signatures = [];
        private StorePath? _storePath;
        private string? _url;
        private string? _compression;
        private NixHash? _fileHash;
        private long? _fileSize;
        private NixHash? _narHash;
        private long? _narSize;
        private List<string> _references = [];
        private string? _deriver;
        private string? _ca;

        public void Add(int line, ReadOnlySpan<char> text)
        {
            if (!text.IsEmpty && text[^1] == '\r')
            {
                throw new NarInfoFormatException(line, null, "line ends with a carriage return (narinfo lines end with \\n only)");
            }
            int colon = text.IndexOf(':');
            if (colon <= 0)
            {
                throw new NarInfoFormatException(line, null, text.IsEmpty ? "empty line" : $"expected 'Key: value', got '{Truncate(text)}'");
            }
            string key = text[..colon].ToString();
            ReadOnlySpan<char> rest = text[(colon + 1)..];
            if (!rest.IsEmpty && rest[0] != ' ')
            {
                throw new NarInfoFormatException(line, key, "expected a space after the colon");
            }
            string value = rest.IsEmpty ? "" : rest[1..].ToString();

            if (key != "Sig" && IsKnown(key) && !_seen.Add(key))
            {
                throw new NarInfoFormatException(line, key, "duplicate field");
            }
            switch (key)
            {
                case "StorePath":
                    _storePath = ParseStorePath(line, value);
                    break;
                case "URL":
                    _url = value.Length > 0 ? value : throw new NarInfoFormatException(line, key, "empty URL");
                    break;
                case "Compression":
                    _compression = IsCompressionName(value) ? value
                        : throw new NarInfoFormatException(line, key, $"invalid compression name '{value}'");
                    break;
                case "FileHash":
                    _fileHash = ParseSha256(line, key, value);
                    break;
                case "FileSize":
                    _fileSize = ParseSize(line, key, value);
                    break;
                case "NarHash":
                    _narHash = ParseSha256(line, key, value);
                    break;
                case "NarSize":
                    _narSize = ParseSize(line, key, value);
                    if (_narSize == 0)
                    {
                        throw new NarInfoFormatException(line, key, "NarSize must be greater than 0");
                    }
                    break;
                case "References":
                    _references = ParseReferences(line, value);
                    break;
                case "Deriver":
                    _deriver = value == "unknown-deriver" ? null : ParseBaseName(line, key, value);
                    break;
                case "Sig":
                    _signatures.Add(ParseSignature(line, value));
                    break;
                case "CA":
                    _ca = ParseContentAddress(line, value);
                    break;
            }
        }

        public NarInfo Build()
        {
            if (_storePath is null)
            {
                throw new NarInfoFormatException(0, "StorePath", "missing required field");
            }
            if (_url is null)
            {
                throw new NarInfoFormatException(0, "URL", "missing required field");
            }
            if (_narHash is null)
            {
                throw new NarInfoFormatException(0, "NarHash", "missing required field");
            }
            if (_narSize is null)
            {
                throw new NarInfoFormatException(0, "NarSize", "missing required field");
            }
            return new NarInfo
            {
                StorePath = _storePath,
                Url = _url,
                Compression = _compression ?? DefaultCompression,
                FileHash = _fileHash,
                FileSize = _fileSize,
                NarHash = _narHash.Value,
                NarSize = _narSize.Value,
                References = _references,
                Deriver = _deriver,
                Signatures = _signatures,
                Ca = _ca,
            };
        }

        private static bool IsKnown(string key) => key is "StorePath" or "URL" or "Compression" or "FileHash" or "FileSize"
            or "NarHash" or "NarSize" or "References" or "Deriver" or "Sig" or "CA";

        private StorePath ParseStorePath(int line, string value)
        {
            try
            {
                return storeDir is null ? StorePath.Parse(value) : StorePath.Parse(value, storeDir);
            }
            catch (StorePathException e)
            {
                throw new NarInfoFormatException(line, "StorePath", $"'{value}' is not a store path: {e.Reason}");
            }
        }

        private static bool IsCompressionName(string value) =>
            value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

        private static NixHash ParseSha256(int line, string key, string value)
        {
            if (!NixHash.TryParse(value, out var hash))
            {
                string why;
                try
                {
                    NixHash.Parse(value);
                    why = "unparsable hash";
                }
                catch (FormatException e)
                {
                    why = e.Message;
                }
                throw new NarInfoFormatException(line, key, why);
            }
            if (hash.Kind != HashKind.Sha256)
            {
                throw new NarInfoFormatException(line, key, $"must be a sha256 hash, not {hash.Kind.ToNixName()}");
            }
            return hash;
        }

        private static long ParseSize(int line, string key, string value)
        {
            if (value.Length == 0 || !value.All(char.IsAsciiDigit))
            {
                throw new NarInfoFormatException(line, key, $"'{Truncate(value)}' is not a non-negative integer");
            }
            return long.TryParse(value, System.Globalization.NumberStyles.None, null, out long size) ? size
                : throw new NarInfoFormatException(line, key, $"'{Truncate(value)}' is too large");
        }

        private static List<string> ParseReferences(int line, string value)
        {
            var references = new List<string>();
            foreach (var reference in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                references.Add(ParseBaseName(line, "References", reference));
            }
            return references;
        }

        private static string ParseBaseName(int line, string key, string value) =>
            StorePath.ValidateBaseName(value) is { } reason
                ? throw new NarInfoFormatException(line, key, $"'{Truncate(value)}' is not a store path base name: {reason}")
                : value;

        private static string ParseSignature(int line, string value)
        {
            int colon = value.IndexOf(':');
            if (colon <= 0 || colon == value.Length - 1 || value.Any(char.IsWhiteSpace))
            {
                throw new NarInfoFormatException(line, "Sig", $"'{Truncate(value)}' is not a signature of the form 'keyname:base64'");
            }
            return value;
        }

        // Nix's content addresses: text:<hash> and fixed:[r:]<hash>. Re-rendered with a nix32 hash, as Nix does.
        private static string ParseContentAddress(int line, string value)
        {
            string method;
            ReadOnlySpan<char> hashText;
            if (value.StartsWith("text:", StringComparison.Ordinal))
            {
                method = "text:";
                hashText = value.AsSpan(5);
            }
            else if (value.StartsWith("fixed:r:", StringComparison.Ordinal))
            {
                method = "fixed:r:";
                hashText = value.AsSpan(8);
            }
            else if (value.StartsWith("fixed:", StringComparison.Ordinal))
            {
                method = "fixed:";
                hashText = value.AsSpan(6);
            }
            else
            {
                throw new NarInfoFormatException(line, "CA", $"'{Truncate(value)}' is not a content address (expected 'text:', 'fixed:' or 'fixed:r:' and a hash)");
            }
            if (!NixHash.TryParse(hashText.ToString(), out var hash))
            {
                throw new NarInfoFormatException(line, "CA", $"invalid hash in content address '{Truncate(value)}'");
            }
            return method + hash.ToNix32String();
        }

        private static string Truncate(ReadOnlySpan<char> text) => text.Length <= 120 ? text.ToString() : $"{text[..120]}...";
    }
}
