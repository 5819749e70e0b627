import type { SaslMechanism } from './sasl-mechanism';

/**
 * LOGIN (draft-murchison-sasl-login): the server asks for the user name, then the
 * password. The prompts are usually "Username:" and "Password:", but only their order is
 * reliable, so a prompt that names neither is answered by position.
 */
export function saslLogin(username: string, password: string): SaslMechanism {
  let answered = 0;
  return {
    name: 'LOGIN',
    initialResponse: () => null,
    respond(challenge) {
      const prompt = challenge.toString('latin1').toLowerCase();
      answered += 1;
      const wantsPassword = prompt.includes('pass') || (!prompt.includes('user') && answered > 1);
      return Buffer.from(wantsPassword ? password : username, 'utf8');
    },
  };
}
