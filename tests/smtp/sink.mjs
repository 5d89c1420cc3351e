// A local SMTP sink for SmtpMailer's tests (tests/services/smtp_mailer.rs), started by
// tests/support/smtp_sink.rs: nodemailer's smtp-server on 127.0.0.1, a free port, no
// TLS (SmtpSecurity::Plain). Authentication is optional; when given it must be
// SINK_USER / SINK_PASSWORD (PLAIN or LOGIN). Recipients starting with "reject" are
// refused (550). Each message received is parsed (mailparser) and printed on stdout
// as one JSON line: {"mail": {"from", "to", "subject", "text", "user"}}. The first line
// is {"port": <port>}.
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";

const user = process.env.SINK_USER ?? "sink";
const password = process.env.SINK_PASSWORD ?? "sink-password";
const MAX_BYTES = 1024 * 1024;

const server = new SMTPServer({
  secure: false,
  disabledCommands: ["STARTTLS"],
  authOptional: true,
  allowInsecureAuth: true,
  authMethods: ["PLAIN", "LOGIN"],
  size: MAX_BYTES,
  logger: false,
  onAuth(auth, _session, callback) {
    if (auth.username === user && auth.password === password) {
      callback(null, { user: auth.username });
    } else {
      callback(new Error("Invalid username or password"));
    }
  },
  onRcptTo(address, _session, callback) {
    if (address.address.startsWith("reject")) {
      const error = new Error("No such mailbox");
      error.responseCode = 550;
      callback(error);
    } else {
      callback();
    }
  },
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((parsed) => {
        const mail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: parsed.subject ?? null,
          text: parsed.text ?? null,
          user: session.user ?? null,
        };
        process.stdout.write(JSON.stringify({ mail }) + "\n");
        callback();
      })
      .catch(callback);
  },
});

server.on("error", (e) => process.stderr.write(`smtp sink: ${e}\n`));
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: server.server.address().port }) + "\n");
});
// Ends with the test process: stdin closes when the parent goes away.
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
