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
}
