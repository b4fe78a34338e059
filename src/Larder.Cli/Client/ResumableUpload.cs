using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Contracts.Push;

namespace Larder.Cli.Client;

/// <summary>
/// Uploads a large NAR in parts of at most <c>partSize</c> bytes (so proxies with body limits let it through). After
/// a failed part it asks the server how much it holds and resumes from there, producing the NAR afresh and skipping
/// what was already sent.
/// </summary>
public static class ResumableUpload
{
    private const int MaxAttempts = 6;

    /// <summary>Uploads <paramref name="info"/>'s NAR to <paramref name="cache"/> and commits it.</summary>
    public static async Task<PushResult> RunAsync(
        LarderClient client, string cache, PushPathMetadata metadata, LocalPathInfo info, string compression, long partSize,
        Action<long>? onBytes, CancellationToken cancellationToken)
    {
        var session = await client.CreateUploadAsync(cache, new CreateUploadRequest(metadata, compression), cancellationToken)
            .ConfigureAwait(false);
        try
        {
            await SendPartsAsync(client, cache, session, info, compression, partSize, onBytes, cancellationToken).ConfigureAwait(false);
            return await client.CompleteUploadAsync(cache, session.Id, info.Path, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException)
        {
            await client.TryAbortUploadAsync(cache, session.Id).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task SendPartsAsync(
        LarderClient client, string cache, UploadSessionInfo session, LocalPathInfo info, string compression, long partSize,
        Action<long>? onBytes, CancellationToken cancellationToken)
    {
        var offset = session.ReceivedBytes;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var nar = new NarPipe(info, compression, cancellationToken);
                await nar.SkipAsync(offset, cancellationToken).ConfigureAwait(false);
                while (true)
                {
                    var part = new PartContent(nar.Reader, partSize, onBytes);
                    var answer = await client.AppendUploadAsync(cache, session.Id, offset, part, cancellationToken).ConfigureAwait(false);
                    offset = answer.ReceivedBytes;
                    if (part.Written < partSize)
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (attempt < MaxAttempts && IsResumable(e))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * (1 << (attempt - 1))), cancellationToken).ConfigureAwait(false);
                offset = (await client.GetUploadAsync(cache, session.Id, cancellationToken).ConfigureAwait(false)).ReceivedBytes;
            }
            catch (HttpRequestException e) when (Inner<CliException>(e) is { } own)
            {
                throw own;
            }
            catch (Exception e) when (client.Translate(e, new Operation($"push {info.Path} to cache '{cache}'", "write", cache)) is { } translated)
            {
                throw translated;
            }
        }
    }

    private static bool IsResumable(Exception e) => e switch
    {
        ApiException api => api.IsTransient || api.Status == System.Net.HttpStatusCode.Conflict,
        HttpRequestException http => Inner<CliException>(http) is null,
        IOException => true,
        _ => false,
    };

    private static T? Inner<T>(Exception e) where T : Exception
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is T match)
            {
                return match;
            }
        }
        return null;
    }
}
