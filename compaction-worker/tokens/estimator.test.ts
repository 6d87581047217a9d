import { get_encoding } from '@dqbd/tiktoken';
import { describe, expect, it } from 'vitest';
import { messageText } from '../conversation/message.ts';
import { loadAllConversations } from '../datasets/load-all.ts';
import { estimateTokens } from './estimator.ts';

const samples = {
  english: 'The quick brown fox jumps over the lazy dog while the committee reviews the budget.',
  chinese: '我们明天下午三点在会议室讨论预算，请提前准备好所有的材料和数据。',
  japanese: '明日の午後三時に会議室で予算について話し合いますので、資料を準備してください。',
  korean: '내일 오후 세 시에 회의실에서 예산을 논의할 예정이니 자료를 준비해 주세요.',
  russian: 'Завтра в три часа дня мы обсудим бюджет в переговорной, подготовьте материалы.',
  arabic: 'سنناقش الميزانية غدا في الساعة الثالثة بعد الظهر في غرفة الاجتماعات.',
  hindi: 'कल दोपहर तीन बजे हम बैठक कक्ष में बजट पर चर्चा करेंगे, कृपया सामग्री तैयार रखें।',
  thai: 'พรุ่งนี้บ่ายสามโมงเราจะประชุมเรื่องงบประมาณที่ห้องประชุม กรุณาเตรียมเอกสาร',
  hebrew: 'מחר בשלוש אחר הצהריים נדון בתקציב בחדר הישיבות, נא להכין את החומרים',
  greek: 'Αύριο στις τρεις το απόγευμα θα συζητήσουμε τον προϋπολογισμό στην αίθουσα',
  tamil: 'நாளை மாலை மூன்று மணிக்கு கூட்ட அறையில் பட்ஜெட் பற்றி விவாதிப்போம்',
  armenian: 'Վաղը ժամը երեքին մենք կքննարկենք բյուջեն',
  vietnamese: 'Ngày mai lúc ba giờ chiều chúng ta sẽ thảo luận về ngân sách trong phòng họp',
  emoji: '🎉🎉 launch day 🚀🚀 👨‍👩‍👧‍👦 🇯🇵🇺🇦 ✅✅✅ 👩‍💻🧑‍🚀🏳️‍🌈',
  code: 'function add(a: number, b: number): number { return a + b; } // 42 === 0x2a',
};

describe('token estimates', () => {
  const encoders = [get_encoding('o200k_base'), get_encoding('cl100k_base')];

  it.each(Object.entries(samples))(
    'never undercount %s text against exact tokenizers',
    (_, text) => {
      for (const encoder of encoders) {
        expect(estimateTokens(text)).toBeGreaterThanOrEqual(encoder.encode_ordinary(text).length);
      }
    },
  );

  it('stay within a useful range of the exact count on the real conversations', () => {
    const texts = loadAllConversations()
      .flatMap((conversation) => conversation.messages.map(messageText))
      .filter((text) => text.length > 200);
    const ratios = texts.map(
      (text) => estimateTokens(text) / encoders[1]!.encode_ordinary(text).length,
    );
    const under = ratios.filter((ratio) => ratio < 1).length;
    expect(under / ratios.length).toBeLessThan(0.02);
    expect(Math.max(...ratios.map((ratio) => Math.min(ratio, 10)))).toBeLessThan(3);
  });

  it('differ by method and grow with the safety margin', () => {
    const text = samples.english;
    expect(estimateTokens(text, { method: 'chars', safetyMargin: 0 })).toBeGreaterThan(0);
    expect(estimateTokens(text, { method: 'words', safetyMargin: 0 })).toBeGreaterThan(0);
    expect(estimateTokens(text, { safetyMargin: 0.5 })).toBeGreaterThan(estimateTokens(text));
    expect(estimateTokens('')).toBe(0);
  });
});
