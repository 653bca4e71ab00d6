// Package httplimit bounds what anyone who can reach the bot's HTTP
// listener can make it hold: open connections, request bodies (their size
// and how many are read at once, per endpoint), and the log lines that
// refused requests cost.
package httplimit
