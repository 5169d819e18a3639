import { fires, quiet } from '../support/check-harness';

describe('check: unused-chain', function () {
  it('flags a user chain nobody jumps to', function () {
    fires('*filter\n:SPARE - [0:0]\n-A SPARE -j DROP\nCOMMIT\n', 'unused-chain');
    quiet('*filter\n:USED - [0:0]\n-A INPUT -j USED\nCOMMIT\n', 'unused-chain');
  });
});
