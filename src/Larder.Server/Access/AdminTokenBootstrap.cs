using Larder.Server.Metadata;

namespace Larder.Server.Access;

/// <summary>
/// On the first start (no token exists yet) creates an admin token (all permissions on <c>*</c>) and writes its secret
/// to <c>DATA/admin-token</c> with mode 0600. Later starts, and other replicas sharing the database, do nothing.
/// </summary>
public static class AdminTokenBootstrap
{
    /// <summary>The file name, in the data directory.</summary>
    public const string FileName = "admin-token";

    /// <summary>The secret when one was created now, else null.</summary>
    public static async Task<string?> EnsureAsync(IMetadataStore store, string dataDir, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var existing = await store.ListTokensAsync(cancellationToken).ConfigureAwait(false);
        if (existing.Count > 0)
        {
            return null;
        }
        var secret = TokenSecrets.Generate();
        var path = Path.Combine(dataDir, FileName);
        // Write the file before the token exists: a crash in between leaves a useless file, never an unknown admin token.
        var fileOptions = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        await using (var file = new FileStream(path, fileOptions))
        await using (var writer = new StreamWriter(file))
        {
            await writer.WriteLineAsync(secret.AsMemory(), cancellationToken).ConfigureAwait(false);
        }
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var grants = new[] { new TokenGrant("*", Permission.Read | Permission.Write | Permission.Delete | Permission.Admin) };
        await store.CreateTokenAsync(
            new TokenRecord(0, "admin (created at first start)", TokenSecrets.Hash(secret), grants, time.GetUtcNow(), null, null),
            cancellationToken).ConfigureAwait(false);
        return secret;
    }
}
