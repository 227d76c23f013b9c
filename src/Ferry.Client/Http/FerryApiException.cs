using Ferry.Core.Errors;

namespace Ferry.Client.Http;

/// <summary>An error answered by the server, with Rucio's exception class and the HTTP status.</summary>
public sealed class FerryApiException(string exceptionClass, int status, string message) : FerryException(exceptionClass, status, message);
