namespace Larder.Server.Configuration;

/// <summary>The <c>Larder:Database</c> section: where metadata lives.</summary>
public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Kind { get; set; } = "sqlite";

    /// <summary>
    /// For <c>sqlite</c>, an optional Microsoft.Data.Sqlite connection string (default: <c>DATA/larder.db</c>); for
    /// <c>postgres</c>, an Npgsql connection string.
    /// </summary>
    public string? ConnectionString { get; set; }
}
