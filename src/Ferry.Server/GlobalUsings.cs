// The application layer's caller is named in nearly every endpoint (Caller.Of(ctx)).
global using Ferry.Engine.Application;
