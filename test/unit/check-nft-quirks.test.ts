import { fires, quiet } from '../support/check-harness';

describe('check: nft-backend-difference', function () {
  it('flags two negated single ports in one match, and a negated full range', function () {
    fires('*filter\n-A INPUT -p tcp -m tcp ! --sport 1000 ! --dport 80 -j ACCEPT\nCOMMIT\n', 'nft-backend-difference');
    fires('*filter\n-A INPUT -p udp ! --dport 0:65535 -j DROP\nCOMMIT\n', 'nft-backend-difference');
  });
  it('stays quiet on one negation, ranges, or positive ports', function () {
    quiet('*filter\n-A INPUT -p tcp ! --sport 1000 --dport 80 -j ACCEPT\nCOMMIT\n', 'nft-backend-difference');
    quiet('*filter\n-A INPUT -p tcp ! --sport 1000:2000 ! --dport 80 -j ACCEPT\nCOMMIT\n', 'nft-backend-difference');
    quiet('*filter\n-A INPUT -p tcp --dport 0:65535 -j ACCEPT\nCOMMIT\n', 'nft-backend-difference');
  });
});
