using System.Text.Json.Serialization;

namespace Larder.Cli.Config;

/// <summary>The contents of <c>~/.config/larder/config.json</c>: known servers and which one is the default.</summary>
public sealed class CliConfig
{
    /// <summary>Name of the server used when a cache argument names no server.</summary>
    [JsonPropertyName("defaultServer")]
    public string? DefaultServer { get; set; }

    /// <summary>Servers by the name given to <c>larder login</c>.</summary>
    [JsonPropertyName("servers")]
    public SortedDictionary<string, ServerEntry> Servers { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One logged-in server: its base URL and the API token to send (null for anonymous access).</summary>
public sealed class ServerEntry
{
    [JsonPropertyName("url")]
    public string Url { get; set; } = "";

    [JsonPropertyName("token")]
    public string? Token { get; set; }

    /// <summary>When <see cref="Token"/> expires, if it does (tokens from <c>larder login --oidc</c>).</summary>
    [JsonPropertyName("tokenExpiresAt")]
    public DateTimeOffset? TokenExpiresAt { get; set; }

    /// <summary>How to renew <see cref="Token"/> with a fresh OIDC ID token; null for a token given to <c>larder login</c>.</summary>
    [JsonPropertyName("oidc")]
    public OidcLoginEntry? Oidc { get; set; }
}

/// <summary>Where <c>larder login --oidc</c> got its ID token, so that the token can be renewed the same way.</summary>
public sealed class OidcLoginEntry
{
    /// <summary>The audience the ID token was requested for.</summary>
    [JsonPropertyName("audience")]
    public string Audience { get; set; } = "";

    /// <summary>The file the ID token was read from (<c>--oidc-token-file</c>), or null for the environment.</summary>
    [JsonPropertyName("tokenFile")]
    public string? TokenFile { get; set; }
}
